// Runtime access to the built-in type schemas (definitions.json, made by scripts/gen-schemas.ts):
// for `kubectl explain` (via the OpenAPI documents), unknown-field detection, strategic merge
// patch and server-side apply.
//
// Nothing is read at import: the ~1 MB file is parsed on first use, and each definition is
// converted to a SchemaNode only when asked for. The file sits next to this module in src/ and
// is copied next to the bundle (dist/definitions.json) by scripts/build.ts.
import { readFileSync } from 'node:fs';

export interface SchemaNode {
  /** Absent on untyped scalars such as Quantity and on free-form JSON: treat those as atomic. */
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  /**
   * Definition name this node stands for. A property node keeps its own patch metadata next to
   * the ref (e.g. Deployment `spec.strategy`: ref + patchStrategy retainKeys),
   * so read those before calling resolve().
   */
  ref?: string;
  patchMergeKey?: string;
  patchStrategy?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  /** x-kubernetes-map-type: `atomic` structs/maps are owned and replaced as one value by apply. */
  mapType?: 'atomic' | 'granular';
  intOrString?: boolean;
  preserveUnknownFields?: boolean;
}

type Raw = Record<string, unknown>;

const REF_PREFIX = '#/components/schemas/';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const DEFINITIONS_FILE = 'definitions.json';
/**
 * Where the data file is found: beside this module (src/, tests), beside the bundle (dist/) or one
 * level up from a bundle chunk (dist/chunks/), else in the source tree next to dist/.
 */
const CANDIDATE_URLS = [
  `./${DEFINITIONS_FILE}`,
  `../${DEFINITIONS_FILE}`,
  `../src/api/schemas/${DEFINITIONS_FILE}`,
  `../../src/api/schemas/${DEFINITIONS_FILE}`,
];

let raw: Record<string, Raw> | undefined;
let gvkIndex: Map<string, string> | undefined;
const nodes = new Map<string, SchemaNode>();

/**
 * Drops the documentation strings: ~40 % of the parsed data, needed only by the OpenAPI documents
 * (kubectl explain), which allDefinitions() builds from a fresh read. A property that happens to be
 * named `description` has an object value and is kept.
 */
const withoutDescriptions = (key: string, value: unknown): unknown =>
  key === 'description' && typeof value === 'string' ? undefined : value;

function read(reviver?: (key: string, value: unknown) => unknown): Record<string, Raw> {
  let lastErr: unknown;
  for (const rel of CANDIDATE_URLS) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'), reviver as never) as Record<
        string,
        Raw
      >;
    } catch (err) {
      lastErr = err;
    }
  }
  throw new Error(`schema definitions not found next to ${import.meta.url}`, { cause: lastErr });
}

/** The resident copy (patch, apply, unknown-field checks): no descriptions. */
function load(): Record<string, Raw> {
  raw ??= read(withoutDescriptions);
  return raw;
}

const refName = (ref: string): string => (ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref);

function convert(s: Raw): SchemaNode {
  const n: SchemaNode = {};
  const allOf = s.allOf as Raw[] | undefined;
  const ref =
    (s.$ref as string | undefined) ??
    (allOf?.length === 1 ? (allOf[0].$ref as string | undefined) : undefined);
  if (ref) n.ref = refName(ref);
  if (typeof s.type === 'string') n.type = s.type as SchemaNode['type'];
  if (typeof s.format === 'string') n.format = s.format;
  if (s.properties) {
    n.properties = {};
    for (const [k, v] of Object.entries(s.properties as Record<string, Raw>)) n.properties[k] = convert(v);
  }
  if (typeof s.additionalProperties === 'boolean') n.additionalProperties = s.additionalProperties;
  else if (s.additionalProperties) n.additionalProperties = convert(s.additionalProperties as Raw);
  if (s.items) n.items = convert(s.items as Raw);
  if (Array.isArray(s.required)) n.required = s.required as string[];
  if (typeof s['x-kubernetes-patch-merge-key'] === 'string')
    n.patchMergeKey = s['x-kubernetes-patch-merge-key'];
  if (typeof s['x-kubernetes-patch-strategy'] === 'string')
    n.patchStrategy = s['x-kubernetes-patch-strategy'];
  if (typeof s['x-kubernetes-list-type'] === 'string')
    n.listType = s['x-kubernetes-list-type'] as SchemaNode['listType'];
  if (Array.isArray(s['x-kubernetes-list-map-keys']))
    n.listMapKeys = s['x-kubernetes-list-map-keys'] as string[];
  if (typeof s['x-kubernetes-map-type'] === 'string')
    n.mapType = s['x-kubernetes-map-type'] as SchemaNode['mapType'];
  if (s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') n.intOrString = true;
  if (s['x-kubernetes-preserve-unknown-fields'] === true) n.preserveUnknownFields = true;
  return n;
}

/** The definition (e.g. `io.k8s.api.core.v1.PodSpec`) as a SchemaNode; properties may hold refs. */
export function getDefinition(name: string): SchemaNode | undefined {
  let n = nodes.get(name);
  if (n) return n;
  const r = load()[name];
  if (!r) return undefined;
  n = name === INT_OR_STRING ? { ...convert(r), intOrString: true } : convert(r);
  nodes.set(name, n);
  return n;
}

/** Follow a node's ref to its definition (the node itself when it has none or it dangles). */
export function resolve(node: SchemaNode): SchemaNode {
  let n = node;
  for (let hops = 0; n.ref && hops < 8; hops++) {
    const d = getDefinition(n.ref);
    if (!d) break;
    n = d;
  }
  return n;
}

const gvkKey = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`;

/** Upstream's definition name for a kind, from the schemas' x-kubernetes-group-version-kind. */
export function definitionName(group: string, version: string, kind: string): string | undefined {
  if (!gvkIndex) {
    gvkIndex = new Map();
    for (const [name, def] of Object.entries(load())) {
      const gvks = def['x-kubernetes-group-version-kind'] as
        | { group: string; version: string; kind: string }[]
        | undefined;
      for (const g of gvks ?? []) gvkIndex.set(gvkKey(g.group, g.version, g.kind), name);
    }
  }
  return gvkIndex.get(gvkKey(group, version, kind));
}

export function schemaFor(group: string, version: string, kind: string): SchemaNode | undefined {
  const name = definitionName(group, version, kind);
  return name ? getDefinition(name) : undefined;
}

/**
 * The raw OpenAPI v3 schemas with their descriptions, refs as `#/components/schemas/<name>`: read
 * afresh on each call and not kept (the OpenAPI documents are built once, from this).
 */
export function allDefinitions(): Record<string, object> {
  return read();
}
