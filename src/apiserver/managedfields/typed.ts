// Operations on JSON values walked with their type (structured-merge-diff's typed values):
//   toFieldSet(v)        every field path v sets (leaves, list items, empty maps, map entries)
//   compare(old, new)    which paths were added, modified (leaves) and removed
//   merge(live, config)  server-side apply's merge: config wins at leaves, maps merge by key,
//                        keyed lists and sets merge by item, atomic things are replaced
//   removeItems(v, set)  v without the paths in set (a member path removes its whole subtree)
// Values are plain JSON; "absent" (the key is missing) is distinct from null.
import { FieldSet } from './field-set.ts';
import {
  fieldPE,
  type Json,
  keyPE,
  type Path,
  type PathElement,
  pathString,
  peString,
  serializePE,
  valuePE,
} from './path-element.ts';
import {
  type Atom,
  atomForValue,
  atomOf,
  DEDUCED,
  fieldType,
  KEY_DEFAULTS,
  type TypeRef,
} from './type-info.ts';

type Obj = Record<string, unknown>;
type ListAtom = Extract<Atom, { kind: 'list' }>;
type MapAtom = Extract<Atom, { kind: 'map' }>;

/** Marks a missing value (as opposed to null). */
export const ABSENT: unique symbol = Symbol('absent');
type Maybe = unknown | typeof ABSENT;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// --- list items ---------------------------------------------------------------------------------

/** The path element standing for an item of a keyed list or a set; throws with upstream's reason. */
export function listItemPE(atom: ListAtom, item: unknown): PathElement {
  if (atom.rel === 'map') {
    if (item === null) throw new Error('associative list with keys may not have a null element');
    if (!isObj(item)) throw new Error('associative list with keys may not have non-map elements');
    const fields: Array<readonly [string, Json]> = [];
    for (const k of atom.keys) {
      if (Object.hasOwn(item, k)) fields.push([k, item[k] as Json]);
      else if (Object.hasOwn(KEY_DEFAULTS, k)) fields.push([k, KEY_DEFAULTS[k]]);
      else
        throw new Error(
          `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`,
        );
    }
    return keyPE(fields);
  }
  if (isObj(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error('not supported: associative list with lists as elements');
  if (item === null) throw new Error("associative list without keys has an element that's an explicit null");
  return valuePE(item as Json);
}

// --- field sets ---------------------------------------------------------------------------------

export interface FieldSetResult {
  set: FieldSet;
  /** Validation errors (strict mode only): `<path>: <reason>`. */
  errors: string[];
}

/**
 * The paths a value sets. Strict mode (for applied configurations) reports undeclared fields,
 * wrong types, items without keys and duplicates; lenient mode (stored objects) never fails.
 */
export function toFieldSet(v: unknown, ref: TypeRef, strict = false): FieldSetResult {
  const set = new FieldSet();
  const errors: string[] = [];
  walkSet(v, ref, [], set, errors, strict);
  return { set, errors };
}

function walkSet(
  v: unknown,
  ref: TypeRef,
  path: PathElement[],
  set: FieldSet,
  errs: string[],
  strict: boolean,
): void {
  const atom = atomForValue(ref, v);
  const at = (msg: string) => errs.push(path.length ? `${pathString(path)}: ${msg}` : msg);
  switch (atom.kind) {
    case 'scalar': {
      const bad = strict ? scalarError(atom.scalar, v) : undefined;
      if (bad) at(bad);
      set.insert(path);
      return;
    }
    case 'list': {
      if (atom.rel === 'atomic') {
        set.insert(path);
        return;
      }
      if (v === null || v === undefined) return;
      if (!Array.isArray(v)) {
        if (strict) at(`expected list, got ${describe(v)}`);
        else set.insert(path);
        return;
      }
      const seen = new Set<string>();
      v.forEach((item, i) => {
        let pe: PathElement;
        try {
          pe = listItemPE(atom, item);
        } catch (err) {
          if (strict) at(`element ${i}: ${(err as Error).message}`);
          return;
        }
        const id = serializePE(pe);
        if (seen.has(id)) {
          if (strict) at(`duplicate entries for key ${peString(pe)}`);
          return;
        }
        seen.add(id);
        const child = [...path, pe];
        walkSet(item, atom.elem, child, set, errs, strict);
        set.insert(child);
      });
      return;
    }
    case 'map': {
      if (atom.atomic) {
        set.insert(path);
        return;
      }
      if (v === null || v === undefined) return;
      if (!isObj(v)) {
        if (strict) at(`expected map, got ${describe(v)}`);
        else set.insert(path);
        return;
      }
      for (const [k, val] of Object.entries(v)) {
        const child = [...path, fieldPE(k)];
        const ft = fieldType(atom, k);
        if (!ft) {
          if (strict) {
            errs.push(`${pathString(child)}: field not declared in schema`);
            continue;
          }
          walkSet(val, DEDUCED, child, set, errs, strict);
          set.insert(child);
          continue;
        }
        walkSet(val, ft.ref, child, set, errs, strict);
        // Empty maps and nulls are owned as such; so is every entry of a map (as opposed to a struct).
        if (val === null || (isObj(val) && Object.keys(val).length === 0) || !ft.declared) set.insert(child);
      }
      return;
    }
    case 'deduced':
      set.insert(path);
  }
}

function scalarError(kind: string, v: unknown): string | undefined {
  if (v === null) return undefined;
  switch (kind) {
    case 'numeric':
      return typeof v === 'number' ? undefined : `expected numeric (int or float), got ${describe(v)}`;
    case 'string':
      return typeof v === 'string' ? undefined : `expected string, got ${describe(v)}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `expected boolean, got ${describe(v)}`;
    default:
      return isObj(v) || Array.isArray(v)
        ? `expected string, number, or boolean, got ${describe(v)}`
        : undefined;
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (isObj(v)) return 'map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

// --- named fields -------------------------------------------------------------------------------

/** The set plus, as members, every struct field that has owned paths below it. */
export function ensureNamedFieldsAreMembers(set: FieldSet, ref: TypeRef): FieldSet {
  const atom = atomOf(ref);
  const out = new FieldSet();
  for (const m of set.members) out.insert([m]);
  for (const c of set.children) {
    let childRef: TypeRef = DEDUCED;
    if (c.pe.t === 'f' && atom.kind === 'map') {
      const ft = fieldType(atom, c.pe.name);
      if (ft) childRef = ft.ref;
      if (ft?.declared) out.insert([c.pe]);
    } else if (c.pe.t === 'k' && atom.kind === 'list') {
      childRef = atom.elem;
    }
    const sub = ensureNamedFieldsAreMembers(c.set, childRef);
    const target = out.child(c.pe);
    sub.iterate((p) => target.insert(p));
  }
  return out;
}

// --- compare ------------------------------------------------------------------------------------

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compare(lhs: unknown, rhs: unknown, ref: TypeRef): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(lhs, rhs, ref, [], c);
  return c;
}

function compareAt(l: Maybe, r: Maybe, ref: TypeRef, path: PathElement[], c: Comparison): void {
  const al = l === ABSENT ? undefined : atomForValue(ref, l);
  const ar = r === ABSENT ? undefined : atomForValue(ref, r);
  let leaf: boolean;
  if (al && ar && !sameShape(al, ar)) {
    compareAtom(al, l, r, path, c);
    leaf = compareAtom(ar, l, r, path, c);
  } else {
    leaf = compareAtom((ar ?? al)!, l, r, path, c);
  }
  if (!leaf && path.length > 0) {
    if (l === ABSENT) c.added.insert(path);
    else if (r === ABSENT) c.removed.insert(path);
  }
}

/** Walk one shape; true when the value was compared as a leaf. */
function compareAtom(atom: Atom, l: Maybe, r: Maybe, path: PathElement[], c: Comparison): boolean {
  const leaf = (): boolean => {
    if (path.length === 0) return true;
    if (l === ABSENT) c.added.insert(path);
    else if (r === ABSENT) c.removed.insert(path);
    else if (!jsonEqual(l, r)) c.modified.insert(path);
    return true;
  };
  switch (atom.kind) {
    case 'scalar':
    case 'deduced':
      return leaf();
    case 'list': {
      const lv = Array.isArray(l) ? l : undefined;
      const rv = Array.isArray(r) ? r : undefined;
      if (!lv && !rv) return false;
      if (atom.rel === 'atomic') return leaf();
      compareListItems(atom, lv ?? [], rv ?? [], path, c);
      return false;
    }
    case 'map': {
      const lm = isObj(l) ? l : undefined;
      const rm = isObj(r) ? r : undefined;
      if (!lm && !rm) return false;
      if (atom.atomic) return leaf();
      const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
      for (const k of keys) {
        const ft = fieldType(atom, k);
        compareAt(
          lm && Object.hasOwn(lm, k) ? lm[k] : ABSENT,
          rm && Object.hasOwn(rm, k) ? rm[k] : ABSENT,
          ft?.ref ?? DEDUCED,
          [...path, fieldPE(k)],
          c,
        );
      }
      return false;
    }
  }
}

function compareListItems(
  atom: ListAtom,
  lhs: unknown[],
  rhs: unknown[],
  path: PathElement[],
  c: Comparison,
): void {
  const groups = new Map<string, { pe: PathElement; l: unknown[]; r: unknown[] }>();
  const add = (items: unknown[], side: 'l' | 'r') => {
    for (const item of items) {
      let pe: PathElement;
      try {
        pe = listItemPE(atom, item);
      } catch {
        continue;
      }
      const id = serializePE(pe);
      let g = groups.get(id);
      if (!g) {
        g = { pe, l: [], r: [] };
        groups.set(id, g);
      }
      g[side].push(item);
    }
  };
  add(lhs, 'l');
  add(rhs, 'r');
  for (const { pe, l, r } of groups.values()) {
    const child = [...path, pe];
    if (l.length <= 1 && r.length <= 1) {
      compareAt(l.length ? l[0] : ABSENT, r.length ? r[0] : ABSENT, atom.elem, child, c);
    } else if (l.length >= 2 && r.length >= 2) {
      if (!jsonEqual(l, r)) c.modified.insert(child);
    } else if (l.length >= 2) {
      // Duplicates before, one (or none) now: the item is new as a single item.
      if (r.length) compareAt(ABSENT, r[0], atom.elem, child, c);
      c.removed.insert(child);
    } else {
      if (l.length) compareAt(l[0], ABSENT, atom.elem, child, c);
      c.added.insert(child);
    }
  }
}

function sameShape(a: Atom, b: Atom): boolean {
  return a.kind === b.kind;
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bl = b as unknown[];
    return a.length === bl.length && a.every((x, i) => jsonEqual(x, bl[i]));
  }
  const ak = Object.keys(a as Obj);
  const bk = Object.keys(b as Obj);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.hasOwn(b as Obj, k) && jsonEqual((a as Obj)[k], (b as Obj)[k]));
}

// --- merge --------------------------------------------------------------------------------------

/** Merge an applied configuration into the live object (both walked with `ref`). */
export function merge(live: unknown, config: unknown, ref: TypeRef): unknown {
  const out = mergeAt(live, config, ref);
  return out === ABSENT ? {} : out;
}

function mergeAt(l: Maybe, r: Maybe, ref: TypeRef): Maybe {
  const al = l === ABSENT ? undefined : atomForValue(ref, l);
  const ar = r === ABSENT ? undefined : atomForValue(ref, r);
  const keepRHS = () => (r !== ABSENT ? r : l);
  if (al && ar && !sameShape(al, ar)) return keepRHS();
  const atom = (ar ?? al)!;
  switch (atom.kind) {
    case 'scalar':
    case 'deduced':
      return keepRHS();
    case 'list': {
      const lv = Array.isArray(l) ? l : undefined;
      const rv = Array.isArray(r) ? r : undefined;
      // Both empty or null: a leaf, so the empty/null distinction of the config survives.
      if (atom.rel === 'atomic' || ((lv?.length ?? 0) === 0 && (rv?.length ?? 0) === 0)) return keepRHS();
      const out = mergeListItems(atom, lv ?? [], rv ?? []);
      return out.length ? out : ABSENT;
    }
    case 'map': {
      const lm = isObj(l) ? l : undefined;
      const rm = isObj(r) ? r : undefined;
      const empty = (m?: Obj) => !m || Object.keys(m).length === 0;
      if (atom.atomic || (empty(lm) && empty(rm))) return keepRHS();
      const out: Obj = {};
      for (const k of new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})])) {
        const ft = fieldType(atom as MapAtom, k);
        const v = mergeAt(
          lm && Object.hasOwn(lm, k) ? lm[k] : ABSENT,
          rm && Object.hasOwn(rm, k) ? rm[k] : ABSENT,
          ft?.ref ?? DEDUCED,
        );
        if (v !== ABSENT) out[k] = v;
      }
      return Object.keys(out).length ? out : ABSENT;
    }
  }
}

interface Indexed {
  order: PathElement[];
  byId: Map<string, unknown>;
}

function indexList(atom: ListAtom, list: unknown[]): Indexed {
  const order: PathElement[] = [];
  const byId = new Map<string, unknown>();
  for (const item of list) {
    let pe: PathElement;
    try {
      pe = listItemPE(atom, item);
    } catch {
      continue;
    }
    const id = serializePE(pe);
    if (byId.has(id)) continue;
    byId.set(id, item);
    order.push(pe);
  }
  return { order, byId };
}

/**
 * Upstream's list merge order: live items keep their relative order, config items theirs; items
 * in both are placed at the config's position relative to the other shared items, and live-only
 * items stay next to the live neighbours they had.
 */
function mergeListItems(atom: ListAtom, lhs: unknown[], rhs: unknown[]): unknown[] {
  const L = indexList(atom, lhs);
  const R = indexList(atom, rhs);
  const idOf = (pe: PathElement) => serializePE(pe);
  const shared = R.order.filter((pe) => L.byId.has(idOf(pe))).map(idOf);
  let nextShared = shared.shift();
  const out: unknown[] = [];
  const emit = (lItem: Maybe, rItem: Maybe) => {
    const v = mergeAt(lItem, rItem, atom.elem);
    if (v !== ABSENT) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < L.order.length || ri < R.order.length) {
    if (li < L.order.length && ri < R.order.length) {
      const lid = idOf(L.order[li]);
      if (lid === idOf(R.order[ri])) {
        emit(L.byId.get(lid), R.byId.get(lid));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (R.byId.has(lid) && nextShared !== undefined && nextShared !== lid) {
        // A shared item the config places later: it is emitted when the config reaches it.
        li++;
        continue;
      }
    }
    if (li < L.order.length) {
      const lid = idOf(L.order[li]);
      if (!R.byId.has(lid)) {
        emit(L.byId.get(lid), ABSENT);
        li++;
        continue;
      }
    }
    if (ri < R.order.length) {
      const rid = idOf(R.order[ri]);
      emit(L.byId.has(rid) ? L.byId.get(rid) : ABSENT, R.byId.get(rid));
      ri++;
      if (nextShared === rid) nextShared = shared.shift();
    }
  }
  return out;
}

// --- remove -------------------------------------------------------------------------------------

/** `v` without the paths in `toRemove`. Maps and lists that end up empty disappear. */
export function removeItems(v: unknown, toRemove: FieldSet, ref: TypeRef): unknown {
  const out = removeAt(v, toRemove, ref);
  return out === undefined ? {} : out;
}

function removeAt(v: unknown, toRemove: FieldSet, ref: TypeRef): unknown {
  const atom = atomForValue(ref, v);
  switch (atom.kind) {
    case 'scalar':
    case 'deduced':
      return v;
    case 'list': {
      if (!Array.isArray(v) || v.length === 0 || atom.rel === 'atomic') return undefined;
      const out: unknown[] = [];
      for (const item of v) {
        let pe: PathElement | undefined;
        try {
          pe = listItemPE(atom, item);
        } catch {
          pe = undefined;
        }
        if (!pe) {
          out.push(item);
          continue;
        }
        if (toRemove.hasMember(pe)) continue;
        const sub = toRemove.withPrefix(pe);
        const kept = sub.isEmpty() ? item : removeAt(item, sub, atom.elem);
        if (kept !== undefined) out.push(kept);
      }
      return out.length ? out : undefined;
    }
    case 'map': {
      if (!isObj(v) || Object.keys(v).length === 0 || atom.atomic) return undefined;
      const out: Obj = {};
      for (const [k, val] of Object.entries(v)) {
        const pe = fieldPE(k);
        if (toRemove.hasMember(pe)) continue;
        const sub = toRemove.withPrefix(pe);
        const kept = sub.isEmpty() ? val : removeAt(val, sub, fieldType(atom, k)?.ref ?? DEDUCED);
        if (kept !== undefined) out[k] = kept;
      }
      return Object.keys(out).length ? out : undefined;
    }
  }
}

export type { Path };
