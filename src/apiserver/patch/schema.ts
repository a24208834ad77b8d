// The slice of the OpenAPI-shaped type metadata (src/api/schemas) that strategic merge patch and
// field management read: properties, map values, list items and the patch/list extensions.
// Everything else in the apiserver reaches the schemas through this file, so the type walkers
// below never care how definitions are stored or referenced.
import { resolve, type SchemaNode, schemaFor } from '../../api/schemas/index.ts';

export type { SchemaNode };

/** The schema of a kind, or undefined for types without one (custom resources without a schema). */
export const schemaOfKind = (group: string, version: string, kind: string): SchemaNode | undefined =>
  schemaFor(group, version, kind);

/** Follow `ref`s until a node that describes its shape. */
export function resolveNode(node: SchemaNode | undefined): SchemaNode | undefined {
  return node ? resolve(node) : undefined;
}

/** Upstream names Go types in messages (`PodSpec`): the last segment of the definition name. */
export function typeNameOf(node: SchemaNode | undefined): string {
  const ref = node?.ref;
  if (!ref) return '';
  const dot = ref.lastIndexOf('.');
  return dot >= 0 ? ref.slice(dot + 1) : ref;
}

/** A struct: an object with declared properties (as opposed to a map or free-form object). */
export const isStruct = (node: SchemaNode | undefined): boolean => !!node?.properties;

/**
 * The schema of `key` inside an object node: a declared property, else the map value type.
 * `declared` says whether the key is a struct field (upstream errors on unknown struct fields).
 */
export function propertyOf(
  node: SchemaNode | undefined,
  key: string,
): { node: SchemaNode | undefined; declared: boolean } {
  const n = resolveNode(node);
  if (!n) return { node: undefined, declared: false };
  const prop = n.properties?.[key];
  if (prop) return { node: prop, declared: true };
  const extra = n.additionalProperties;
  if (extra && typeof extra === 'object') return { node: extra, declared: false };
  return { node: undefined, declared: false };
}

/** Strategies on a field, e.g. `merge,retainKeys` → ['merge', 'retainKeys']. */
export function patchStrategiesOf(field: SchemaNode | undefined): string[] {
  const s = field?.patchStrategy ?? resolveNode(field)?.patchStrategy;
  return s ? s.split(',').map((p) => p.trim()) : [];
}

export function patchMergeKeyOf(field: SchemaNode | undefined): string {
  return field?.patchMergeKey ?? resolveNode(field)?.patchMergeKey ?? '';
}

/** The element schema of a list field. */
export const itemsOf = (field: SchemaNode | undefined): SchemaNode | undefined => resolveNode(field)?.items;
