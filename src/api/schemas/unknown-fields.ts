// Fields an object carries that its kind's schema does not declare — what upstream's strict JSON
// decoding reports for fieldValidation=Strict (400) and Warn (warnings). Paths read like
// upstream's: `spec.template.spec.containers[1].ports[0].containerPortZ`, which the API server
// prints as `unknown field "<path>"`.
//
// Not checked, as upstream's decoder does not either: values of the wrong type (a separate
// error), and anything below free-form JSON (RawExtension, FieldsV1, x-kubernetes-preserve-
// unknown-fields) or scalars such as IntOrString and Quantity.
import { resolve, type SchemaNode, schemaFor } from './index.ts';

/** Type metadata every object may carry at its root, declared in the schema or not. */
const ROOT_TYPE_META = new Set(['apiVersion', 'kind']);

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function walk(node: SchemaNode, value: unknown, path: string, out: string[], root: boolean): void {
  if (value === null || typeof value !== 'object') return;
  const n = node.ref ? resolve(node) : node;
  if (n.preserveUnknownFields || n.intOrString) return;
  if (Array.isArray(value)) {
    if (n.items) for (let i = 0; i < value.length; i++) walk(n.items, value[i], `${path}[${i}]`, out, false);
    return;
  }
  const obj = value as Record<string, unknown>;
  if (n.properties) {
    const props = n.properties;
    for (const key in obj) {
      if (!Object.hasOwn(obj, key)) continue;
      const child = Object.hasOwn(props, key) ? props[key] : undefined;
      if (child) walk(child, obj[key], join(path, key), out, false);
      else if (!(root && ROOT_TYPE_META.has(key))) out.push(join(path, key));
    }
    return;
  }
  const ap = n.additionalProperties;
  if (ap && typeof ap === 'object') {
    for (const key in obj) if (Object.hasOwn(obj, key)) walk(ap, obj[key], join(path, key), out, false);
  }
}

/** One strict-decoding violation as upstream words it (also the text of each Warn-mode warning). */
export const unknownFieldMessage = (path: string): string => `unknown field ${JSON.stringify(path)}`;

/** runtime.StrictDecodingError's text: `strict decoding error: unknown field "a", unknown field "b"`. */
export const strictDecodingMessage = (paths: readonly string[]): string =>
  `strict decoding error: ${paths.map(unknownFieldMessage).join(', ')}`;

/** Unknown field paths of `obj` for the kind, in document order; [] for kinds without a schema. */
export function findUnknownFields(group: string, version: string, kind: string, obj: unknown): string[] {
  const schema = schemaFor(group, version, kind);
  if (!schema) return [];
  const out: string[] = [];
  walk(schema, obj, '', out, true);
  return out;
}
