// One step of a field path, as server-side apply records ownership (FieldsV1):
import { byCodeUnit } from '../../util/code-unit-order.ts';
//   f:<name>            a field of a struct or a key of a map          .spec
//   k:{"name":"web"}    an item of a list keyed by its list-map keys    [name="web"]
//   v:"finalizer.x"     an item of a set (a list of scalars)            [="finalizer.x"]
//   i:3                 an item by index (lists without keys)           [3]
// Paths sort field < key < value < index, then by content; FieldsV1 and conflict messages rely
// on that order.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type PathElement =
  | { readonly t: 'f'; readonly name: string }
  | { readonly t: 'k'; readonly fields: ReadonlyArray<readonly [string, Json]> }
  | { readonly t: 'v'; readonly value: Json }
  | { readonly t: 'i'; readonly index: number };

export type Path = readonly PathElement[];

export const fieldPE = (name: string): PathElement => ({ t: 'f', name });

/** A key element; fields are sorted by name so equal keys compare equal. */
export const keyPE = (fields: Array<readonly [string, Json]>): PathElement => ({
  t: 'k',
  fields: [...fields].sort((a, b) => cmpStr(a[0], b[0])),
});

export const valuePE = (value: Json): PathElement => ({ t: 'v', value });

const TYPE_ORDER = { f: 0, k: 1, v: 2, i: 3 } as const;

export function comparePE(a: PathElement, b: PathElement): number {
  if (a.t !== b.t) return TYPE_ORDER[a.t] - TYPE_ORDER[b.t];
  switch (a.t) {
    case 'f':
      return cmpStr(a.name, (b as typeof a).name);
    case 'k': {
      const bf = (b as typeof a).fields;
      for (let i = 0; ; i++) {
        if (i >= a.fields.length && i >= bf.length) return 0;
        if (i >= a.fields.length) return -1;
        if (i >= bf.length) return 1;
        const c = cmpStr(a.fields[i][0], bf[i][0]) || compareValues(a.fields[i][1], bf[i][1]);
        if (c !== 0) return c;
      }
    }
    case 'v':
      return compareValues(a.value, (b as typeof a).value);
    case 'i':
      return a.index - (b as typeof a).index;
  }
}

export const equalPE = (a: PathElement, b: PathElement): boolean => comparePE(a, b) === 0;

/** Byte-wise string order, as Go's strings.Compare (UTF-16 order agrees for the BMP). */
export const cmpStr = byCodeUnit;

/** Values order numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: Json, b: Json): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number') return a - (b as number);
  if (typeof a === 'string') return cmpStr(a, b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  if (Array.isArray(a)) {
    const bl = b as Json[];
    for (let i = 0; ; i++) {
      if (i >= a.length && i >= bl.length) return 0;
      if (i >= a.length) return -1;
      if (i >= bl.length) return 1;
      const c = compareValues(a[i], bl[i]);
      if (c !== 0) return c;
    }
  }
  if (a !== null && typeof a === 'object') {
    const bo = b as Record<string, Json>;
    const ak = Object.keys(a).sort(cmpStr);
    const bk = Object.keys(bo).sort(cmpStr);
    for (let i = 0; ; i++) {
      if (i >= ak.length && i >= bk.length) return 0;
      if (i >= ak.length) return -1;
      if (i >= bk.length) return 1;
      const c = cmpStr(ak[i], bk[i]) || compareValues(a[ak[i]], bo[bk[i]]);
      if (c !== 0) return c;
    }
  }
  return 0;
}

function valueRank(v: Json): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5;
}

/** Human form used in conflict messages: `.spec`, `[name="web"]`, `[="x"]`, `[0]`. */
export function peString(pe: PathElement): string {
  switch (pe.t) {
    case 'f':
      return `.${pe.name}`;
    case 'k':
      return `[${pe.fields.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
    case 'v':
      return `[=${valueString(pe.value)}]`;
    case 'i':
      return `[${pe.index}]`;
  }
}

export const pathString = (path: Path): string => path.map(peString).join('');

function valueString(v: Json): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return goJson(v);
  return String(v);
}

/** The FieldsV1 key of an element: `f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`. */
export function serializePE(pe: PathElement): string {
  switch (pe.t) {
    case 'f':
      return `f:${pe.name}`;
    case 'k':
      return `k:${goJson(Object.fromEntries(pe.fields))}`;
    case 'v':
      return `v:${goJson(pe.value)}`;
    case 'i':
      return `i:${pe.index}`;
  }
}

/** Parse a FieldsV1 key; throws on anything malformed. */
export function parsePE(s: string): PathElement {
  const colon = s.indexOf(':');
  if (colon < 0) throw new Error(`missing colon: ${s}`);
  const body = s.slice(colon + 1);
  switch (s.slice(0, colon)) {
    case 'f':
      return fieldPE(body);
    case 'v':
      return valuePE(JSON.parse(body) as Json);
    case 'i': {
      if (!/^-?\d+$/.test(body)) throw new Error(`invalid index: ${s}`);
      return { t: 'i', index: Number(body) };
    }
    case 'k': {
      const o = JSON.parse(body) as unknown;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`invalid key: ${s}`);
      return keyPE(Object.entries(o as Record<string, Json>));
    }
    default:
      throw new Error(`unknown path element type: ${s}`);
  }
}

/** Go's encoding/json output: map keys sorted, and <, >, & escaped as \u003c, \u003e, \u0026. */
export function goJson(v: Json): string {
  return JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
    return `\\u${hex}`;
  });
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(v).sort(cmpStr)) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}
