// What field management needs to know about a type: scalar, struct/map (granular or atomic) or
// list (atomic, set, or map keyed by listMapKeys), following upstream's conversion of OpenAPI to
// structured-merge-diff types: x-kubernetes-list-type wins; otherwise patchStrategy merge makes a
// list associative (keyed by patchMergeKey, or a set for scalars); every other list is atomic.
// Without a schema (free-form content) the type is deduced from the value: maps are granular and
// lists atomic.
import { resolveNode, type SchemaNode } from '../patch/schema.ts';

/** A position in the type tree. `node` undefined means "deduce from the value". */
export interface TypeRef {
  node?: SchemaNode;
}

export const DEDUCED: TypeRef = {};

export type ScalarKind = 'string' | 'numeric' | 'boolean' | 'untyped';

export type Atom =
  | { kind: 'scalar'; scalar: ScalarKind }
  | {
      kind: 'map';
      atomic: boolean;
      /** Declared fields of a struct. */
      fields: Record<string, SchemaNode> | undefined;
      /** Type of undeclared keys; undefined when undeclared keys are not allowed. */
      elem: TypeRef | undefined;
      /** Definition name ('' for inline types). */
      def: string;
    }
  | { kind: 'list'; rel: 'atomic' | 'set' | 'map'; keys: string[]; elem: TypeRef }
  | { kind: 'deduced' };

/** Defaults of list-map keys an item may omit (upstream reads them from the schema's defaults). */
export const KEY_DEFAULTS: Record<string, string> = { protocol: 'TCP' };

const cache = new WeakMap<SchemaNode, Atom>();

export function atomOf(ref: TypeRef): Atom {
  const node = ref.node;
  if (!node) return { kind: 'deduced' };
  let atom = cache.get(node);
  if (!atom) {
    atom = computeAtom(node);
    cache.set(node, atom);
  }
  return atom;
}

function computeAtom(node: SchemaNode): Atom {
  const def = node.ref ?? '';
  const n = resolveNode(node);
  if (!n) return { kind: 'deduced' };
  // x-kubernetes-map-type sits on the field (a map like Service selector) or the struct itself.
  const atomic = (node.mapType ?? n.mapType) === 'atomic';
  if (n.intOrString || n.format === 'int-or-string') return { kind: 'scalar', scalar: 'untyped' };
  if (n.type === 'array' || n.items) return listAtom(node, n);
  if (n.properties) {
    const extra = n.additionalProperties;
    const elem =
      extra && typeof extra === 'object'
        ? { node: extra }
        : n.preserveUnknownFields || extra === true
          ? DEDUCED
          : undefined;
    return { kind: 'map', atomic, fields: n.properties, elem, def };
  }
  if (n.additionalProperties && typeof n.additionalProperties === 'object') {
    return { kind: 'map', atomic, fields: undefined, elem: { node: n.additionalProperties }, def };
  }
  switch (n.type) {
    case 'string':
      return { kind: 'scalar', scalar: 'string' };
    case 'integer':
    case 'number':
      return { kind: 'scalar', scalar: 'numeric' };
    case 'boolean':
      return { kind: 'scalar', scalar: 'boolean' };
    default:
      return { kind: 'deduced' };
  }
}

function listAtom(field: SchemaNode, n: SchemaNode): Atom {
  const elem: TypeRef = { node: n.items };
  const listType = field.listType ?? n.listType;
  const keys = field.listMapKeys ?? n.listMapKeys ?? [];
  if (listType === 'atomic') return { kind: 'list', rel: 'atomic', keys: [], elem };
  if (listType === 'set') return { kind: 'list', rel: 'set', keys: [], elem };
  if (listType === 'map') return keys.length ? { kind: 'list', rel: 'map', keys, elem } : atomicList(elem);
  const strategy = field.patchStrategy ?? n.patchStrategy ?? '';
  if (strategy.split(',').includes('merge')) {
    const mergeKey = field.patchMergeKey ?? n.patchMergeKey;
    return mergeKey
      ? { kind: 'list', rel: 'map', keys: [mergeKey], elem }
      : { kind: 'list', rel: 'set', keys: [], elem };
  }
  return atomicList(elem);
}

const atomicList = (elem: TypeRef): Atom => ({ kind: 'list', rel: 'atomic', keys: [], elem });

/** The type of `key` inside a map atom: declared field, else the element type (or undefined). */
export function fieldType(
  atom: Atom & { kind: 'map' },
  key: string,
): { ref: TypeRef; declared: boolean } | undefined {
  const f = atom.fields?.[key];
  if (f) return { ref: { node: f }, declared: true };
  if (atom.elem) return { ref: atom.elem, declared: false };
  return undefined;
}

/** The atom a value is walked with: deduced types take the value's own shape. */
export function atomForValue(ref: TypeRef, v: unknown): Atom {
  const atom = atomOf(ref);
  if (atom.kind !== 'deduced') return atom;
  if (Array.isArray(v)) return { kind: 'list', rel: 'atomic', keys: [], elem: DEDUCED };
  if (typeof v === 'object' && v !== null)
    return { kind: 'map', atomic: false, fields: undefined, elem: DEDUCED, def: '' };
  return { kind: 'scalar', scalar: 'untyped' };
}
