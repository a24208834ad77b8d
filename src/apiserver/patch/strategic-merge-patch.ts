// Strategic merge patch, the server side of it: upstream's StrategicMergeMapPatch with the options
// the apiserver uses (parallel lists are merged, nulls that match nothing are ignored).
//
// Like a JSON merge patch, maps merge recursively and null deletes. Lists whose field declares
// patchStrategy "merge" are merged element by element on their patchMergeKey (lists of scalars are
// unioned); every other list is replaced. Directives:
//   {"$patch": "replace"|"delete"}              in a map: replace it / empty it
//   [{"$patch": "replace"}, …]                  in a merged list: replace the whole list
//   [{"name": "x", "$patch": "delete"}, …]      in a merged list: delete that element
//   "$retainKeys": [keys…]                      clear the map's other keys (retainKeys strategy)
//   "$setElementOrder/<field>": [{key: v}, …]   the final order of a merged list
//   "$deleteFromPrimitiveList/<field>": [v, …]  remove values from a merged list of scalars
//
// Order of merged lists follows upstream exactly, because clients diff against it: items named in
// the patch take the patch's order, server-only items keep theirs, and the two are interleaved by
// their positions in the live list (a new item with no live position goes first).
import { badRequest } from '../../api/errors.ts';
import { jsonClone } from '../../util/json-clone.ts';
import {
  itemsOf,
  patchMergeKeyOf,
  patchStrategiesOf,
  propertyOf,
  resolveNode,
  type SchemaNode,
  typeNameOf,
} from './schema.ts';
import {
  BAD_PRIMITIVE_LIST_FORMAT,
  BAD_RETAIN_KEYS_FORMAT,
  BAD_SET_ELEMENT_ORDER_FORMAT,
  badArgType,
  badPatchType,
  MERGE_DIRECTIVE_IN_LIST,
  mixedElementTypes,
  noListOfLists,
  noMergeKey,
  noMergeKeyForMaps,
  notAMapInList,
  setOrderMismatch,
  unknownStructField,
} from './smp-errors.ts';

type JsonMap = Record<string, unknown>;

export const DIRECTIVE_MARKER = '$patch';
const DELETE_DIRECTIVE = 'delete';
const REPLACE_DIRECTIVE = 'replace';
const MERGE_DIRECTIVE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
export const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

/**
 * Apply `patch` to `original` (neither is modified). `schema` is the kind's schema; without one
 * (free-form content) maps merge and lists are replaced, as in a JSON merge patch.
 * Throws ApiError (400, or 422 for lists of lists) for malformed patches.
 */
export function applyStrategicMergePatch(
  original: JsonMap,
  patch: JsonMap,
  schema: SchemaNode | undefined,
): JsonMap {
  return mergeMap(jsonClone(original), jsonClone(patch), schema);
}

// --- patch metadata ---------------------------------------------------------------------------

interface FieldMeta {
  node: SchemaNode | undefined;
  strategy: string;
  mergeKey: string;
}

const NO_META: FieldMeta = { node: undefined, strategy: '', mergeKey: '' };

/** What the schema says about `key` in the object described by `parent` (upstream's LookupPatchMetadata). */
function lookupMeta(parent: SchemaNode | undefined, key: string): FieldMeta {
  const p = resolveNode(parent);
  if (!p || p.preserveUnknownFields) return NO_META;
  const { node, declared } = propertyOf(p, key);
  if (declared) {
    return { node, strategy: mainStrategy(patchStrategiesOf(node)), mergeKey: patchMergeKeyOf(node) };
  }
  // A map's values carry no strategy of their own; unknown struct fields are an error.
  if (node) return { node, strategy: '', mergeKey: '' };
  if (p.properties && p.additionalProperties !== true) throw unknownStructField(typeNameOf(parent), key);
  return NO_META;
}

/** The strategy besides retainKeys (which is driven by the $retainKeys directive itself). */
function mainStrategy(strategies: string[]): string {
  const others = strategies.filter((s) => s !== RETAIN_KEYS_STRATEGY);
  if (strategies.length > 2 || others.length > 1) {
    throw badRequest(`unexpected patch strategy: [${strategies.join(' ')}]`);
  }
  return others[0] ?? '';
}

// --- maps ---------------------------------------------------------------------------------------

function mergeMap(original: JsonMap | undefined, patch: JsonMap, node: SchemaNode | undefined): JsonMap {
  if (Object.hasOwn(patch, DIRECTIVE_MARKER)) return handleDirectiveInMap(patch[DIRECTIVE_MARKER], patch);
  const out = original ?? {};
  applyRetainKeysDirective(out, patch);
  mergeOrderedLists(out, patch, node);
  for (const k of Object.keys(patch)) {
    const patchV = patch[k];
    let key = k;
    const isDeleteList = k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX);
    if (isDeleteList) key = extractKey(k, DELETE_FROM_PRIMITIVE_LIST_PREFIX, BAD_PRIMITIVE_LIST_FORMAT);
    if (patchV === null) {
      delete out[key];
      continue;
    }
    if (!Object.hasOwn(out, key)) {
      if (!isDeleteList) out[key] = sanitize(patchV);
      continue;
    }
    const origV = out[key];
    if (isDeleteList && (!Array.isArray(origV) || !Array.isArray(patchV))) {
      // Upstream would store the deletion list in place of a scalar and fail decoding later.
      throw badRequest(BAD_PRIMITIVE_LIST_FORMAT);
    }
    if (kindOf(origV) !== kindOf(patchV)) {
      out[key] = sanitize(patchV);
      continue;
    }
    if (isMap(origV)) {
      const meta = lookupMeta(node, key);
      out[key] =
        meta.strategy === REPLACE_DIRECTIVE
          ? sanitize(patchV)
          : mergeMap(origV, patchV as JsonMap, meta.node);
    } else if (Array.isArray(origV)) {
      const meta = lookupMeta(node, key);
      out[key] =
        meta.strategy === MERGE_DIRECTIVE
          ? mergeSlice(origV, patchV as unknown[], itemsOf(meta.node), meta.mergeKey, isDeleteList)
          : sanitize(patchV);
    } else {
      out[key] = patchV;
    }
  }
  return out;
}

function handleDirectiveInMap(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === REPLACE_DIRECTIVE) {
    const { [DIRECTIVE_MARKER]: _d, ...rest } = patch;
    return sanitize(rest) as JsonMap;
  }
  if (directive === DELETE_DIRECTIVE) return {};
  throw badPatchType(directive, patch);
}

/** `$retainKeys`: every other key of the original is cleared; the patch may only set retained keys. */
function applyRetainKeysDirective(original: JsonMap, patch: JsonMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const list = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(list)) throw badRequest(BAD_RETAIN_KEYS_FORMAT);
  const keep = new Set<unknown>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (
      v === null ||
      k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) ||
      k.startsWith(SET_ELEMENT_ORDER_PREFIX)
    )
      continue;
    if (!keep.has(k)) throw badRequest(BAD_RETAIN_KEYS_FORMAT);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<field>`: merge that list together with its ordering directive, then enforce
 * the order (directive order > patch order > live order). Both keys leave the patch afterwards.
 */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, node: SchemaNode | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw badArgType('slice', setOrder);
    const field = extractKey(key, SET_ELEMENT_ORDER_PREFIX, BAD_SET_ELEMENT_ORDER_FORMAT);
    const inOriginal = Object.hasOwn(original, field);
    const inPatch = Object.hasOwn(patch, field);
    const origList = inOriginal ? expectList(original[field]) : [];
    const patchList = inPatch ? expectList(patch[field]) : [];
    const meta = lookupMeta(node, field);
    validateSetOrder(patchList, setOrder, meta.mergeKey);
    let merged: unknown[];
    if (inOriginal && inPatch) {
      merged =
        meta.strategy === MERGE_DIRECTIVE
          ? mergeSlice(origList, patchList, itemsOf(meta.node), meta.mergeKey, false)
          : patchList;
    } else if (inOriginal) merged = origList;
    else if (inPatch) merged = patchList;
    else continue;
    delete patch[field];
    if (meta.strategy !== MERGE_DIRECTIVE || merged.length === 0) {
      // Ordering only means something for merged lists; clients never send it for others.
      original[field] = sanitize(merged);
      continue;
    }
    const kind = elementKind(origList, patchList);
    const [patchItems, serverOnly] = meta.mergeKey
      ? partitionMaps(merged, setOrder, meta.mergeKey)
      : partitionScalars(merged, setOrder);
    original[field] = sanitize(
      normalizeElementOrder(patchItems, serverOnly, setOrder, origList, meta.mergeKey, kind),
    );
  }
}

function expectList(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw badArgType('slice', v);
  return v;
}

/** The patch list's items must appear in the $setElementOrder list, in the same relative order. */
function validateSetOrder(patchList: unknown[], setOrder: unknown[], mergeKey: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? splitDeletions(patchList)[0] : patchList;
  let pi = 0;
  let si = 0;
  while (pi < items.length && si < setOrder.length) {
    if (isMap(items[pi]) && Object.hasOwn(items[pi] as JsonMap, DIRECTIVE_MARKER)) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(items[pi], setOrder[si], mergeKey)) pi++;
    si++;
  }
  if (pi < items.length && si >= setOrder.length) throw setOrderMismatch(patchList, setOrder);
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isMap(left)) throw badArgType('map', left);
  if (!isMap(right)) throw badArgType('map', right);
  if (!Object.hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

// --- lists --------------------------------------------------------------------------------------

function mergeSlice(
  original: unknown[],
  patch: unknown[],
  item: SchemaNode | undefined,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let base = original;
  let items = patch;
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = dedupScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw noMergeKeyForMaps();
    [base, items] = applyListDirectives(original, patch, mergeKey);
    merged = mergeByKey(base, items, mergeKey, item);
  }
  const [patchItems, serverOnly] = mergeKey
    ? partitionMaps(merged, items, mergeKey)
    : partitionScalars(merged, items);
  return normalizeElementOrder(patchItems, serverOnly, items, base, mergeKey, kind);
}

/** `$patch: delete` removes matching elements; `$patch: replace` makes the rest of the patch the list. */
function applyListDirectives(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  let base = original;
  for (const v of patch) {
    const m = v as JsonMap;
    if (!Object.hasOwn(m, DIRECTIVE_MARKER)) {
      plain.push(v);
      continue;
    }
    const directive = m[DIRECTIVE_MARKER];
    if (directive === DELETE_DIRECTIVE) {
      if (!Object.hasOwn(m, mergeKey)) throw noMergeKey(m, mergeKey);
      base = deleteMatching(base, mergeKey, m[mergeKey]);
    } else if (directive === REPLACE_DIRECTIVE) {
      replace = true;
    } else if (directive === MERGE_DIRECTIVE) {
      throw badRequest(MERGE_DIRECTIVE_IN_LIST);
    } else {
      throw badPatchType(directive, m);
    }
  }
  return replace ? [plain, []] : [base, plain];
}

function deleteMatching(list: unknown[], mergeKey: string, value: unknown): unknown[] {
  list.forEach((v, i) => {
    if (!isMap(v)) throw notAMapInList(i);
  });
  return list.filter((v) => !(Object.hasOwn(v as JsonMap, mergeKey) && (v as JsonMap)[mergeKey] === value));
}

function mergeByKey(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  item: SchemaNode | undefined,
): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const m = v as JsonMap;
    if (!Object.hasOwn(m, mergeKey)) throw noMergeKey(m, mergeKey);
    const at = findByKey(out, mergeKey, m[mergeKey]);
    if (at >= 0) out[at] = mergeMap(out[at] as JsonMap, m, item);
    else out.push(sanitize(v));
  }
  return out;
}

function findByKey(list: unknown[], mergeKey: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isMap(v)) throw notAMapInList(i);
    if (Object.hasOwn(v, mergeKey) && v[mergeKey] === value) return i;
  }
  return -1;
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const gone = new Set(toDelete);
  return current.filter((v) => !gone.has(v));
}

/** Upstream's in-place dedup: a duplicate is replaced by the last element (so order shifts). */
function dedupScalars(s: unknown[]): unknown[] {
  const out = [...s];
  let length = out.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (out[i] === out[j]) {
        out[j] = out[length];
        out.length = length;
        length--;
        j--;
      }
    }
  }
  return out;
}

type ElementKind = 'map' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

/** The common element kind of the lists; mixed kinds and lists of lists are errors (as upstream:
 * the first element decides, so a list element after a scalar is a mismatch). */
function elementKind(...lists: unknown[][]): ElementKind {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (kind === undefined) {
        if (k === 'slice') throw noListOfLists();
        kind = k;
      } else if (kind !== k) throw mixedElementTypes(lists);
    }
  }
  return (kind ?? 'nil') as ElementKind;
}

function partitionScalars(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const inPatch = new Set(by);
  const hit: unknown[] = [];
  const miss: unknown[] = [];
  for (const v of list) (inPatch.has(v) ? hit : miss).push(v);
  return [hit, miss];
}

function partitionMaps(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const hit: unknown[] = [];
  const miss: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType('map', v);
    if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]) >= 0 ? hit : miss).push(v);
  }
  return [hit, miss];
}

/** Sort patch items by the patch order and server-only items by the live order, then interleave. */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlices(s, p, serverOrder, mergeKey, kind);
}

function normalizeSliceOrder(
  toSort: unknown[],
  order: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  let items = toSort;
  let deletions: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeys(mergeKey, toSort, order);
    [items, deletions] = splitDeletions(toSort);
  }
  const pos = positions(order, mergeKey, kind);
  // Upstream's comparator: by position when both are found, else "less" (which moves an unknown
  // item forward). A stable insertion sort reproduces its result for such comparators.
  const less = (a: unknown, b: unknown): boolean => {
    const ia = pos(a);
    if (ia >= 0) {
      const ib = pos(b);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  const sorted = [...items];
  for (let i = 1; i < sorted.length; i++) {
    for (let j = i; j > 0 && less(sorted[j], sorted[j - 1]); j--) {
      [sorted[j], sorted[j - 1]] = [sorted[j - 1], sorted[j]];
    }
  }
  return [...sorted, ...deletions];
}

/**
 * Insert each server-only item among the patch items: before the first patch item that comes
 * after it in the live list. Relative order within each side is kept.
 */
function mergeSortedSlices(
  left: unknown[],
  right: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const pos = positions(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = pos(left[i]);
      const ri = pos(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Position lookup by merge key value (maps) or by value (scalars): index of first match, or -1. */
function positions(list: unknown[], mergeKey: string, kind: ElementKind): (v: unknown) => number {
  const keyOf = (v: unknown): unknown => (kind === 'map' ? (isMap(v) ? v[mergeKey] : undefined) : v);
  const index = new Map<unknown, number>();
  list.forEach((v, i) => {
    const k = keyOf(v);
    if (!index.has(k)) index.set(k, i);
  });
  return (v) => index.get(keyOf(v)) ?? -1;
}

function validateMergeKeys(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const v of list) {
      if (!isMap(v)) throw badArgType('map', v);
      if (!Object.hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    }
  }
}

function splitDeletions(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const deletions: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType('map', v);
    (v[DIRECTIVE_MARKER] === DELETE_DIRECTIVE ? deletions : keep).push(v);
  }
  return [keep, deletions];
}

// --- helpers ------------------------------------------------------------------------------------

function extractKey(s: string, prefix: string, formatError: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) throw badRequest(formatError);
  return s.slice(slash + 1);
}

/** Go's reflect kind of a decoded JSON value, which decides "same type, so recurse". */
function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

const isDirectiveKey = (k: string): boolean =>
  k === DIRECTIVE_MARKER ||
  k === RETAIN_KEYS_DIRECTIVE ||
  k.startsWith(`${SET_ELEMENT_ORDER_PREFIX}/`) ||
  k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST_PREFIX}/`);

/**
 * A patch value taken as a whole (nothing to merge it with): drop the directives and nulls it may
 * carry, which upstream leaves for the typed decoder to discard, so they are never stored.
 */
function sanitize(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const e of v) {
      const directive = isMap(e) ? e[DIRECTIVE_MARKER] : undefined;
      if (directive === DELETE_DIRECTIVE || directive === REPLACE_DIRECTIVE) continue;
      out.push(sanitize(e));
    }
    return out;
  }
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const [k, e] of Object.entries(v)) {
    if (e === null || isDirectiveKey(k)) continue;
    out[k] = sanitize(e);
  }
  return out;
}
