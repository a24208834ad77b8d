// Upstream compares objects after decoding them into Go structs, whose zero values are always
// present: a non-pointer struct field is `{}` and a required slice or pointer is `null` even when
// the JSON left it out. That decides what an update "added": a create adds `spec.template.spec.
// containers[name="x"]` but not `containers` itself, and owns `resources: {}` of every container.
// normalize() puts those zero values into a plain JSON object so our comparisons see what
// upstream's see. Only for comparisons: stored objects are not changed by it.

import { jsonClone } from '../../util/json-clone.ts';
import { resolveNode, type SchemaNode } from '../patch/schema.ts';
import { atomOf, type TypeRef } from './type-info.ts';

type Zero = 'struct' | 'null';

/** Fields present in the zero value of these definitions (Go struct layout of k8s.io/api v0.32). */
const ZERO_FIELDS: Record<string, Record<string, Zero>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { creationTimestamp: 'null' },
  'io.k8s.api.core.v1.PodTemplateSpec': { metadata: 'struct', spec: 'struct' },
  'io.k8s.api.core.v1.PodSpec': { containers: 'null' },
  'io.k8s.api.core.v1.Container': { resources: 'struct' },
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': { resources: 'struct' },
  'io.k8s.api.core.v1.ServiceStatus': { loadBalancer: 'struct' },
  'io.k8s.api.core.v1.NodeStatus': { daemonEndpoints: 'struct', nodeInfo: 'struct' },
  'io.k8s.api.apps.v1.DeploymentSpec': { selector: 'null', template: 'struct', strategy: 'struct' },
  'io.k8s.api.apps.v1.ReplicaSetSpec': { selector: 'null', template: 'struct' },
  'io.k8s.api.apps.v1.StatefulSetSpec': { selector: 'null', template: 'struct', updateStrategy: 'struct' },
  'io.k8s.api.apps.v1.DaemonSetSpec': { selector: 'null', template: 'struct', updateStrategy: 'struct' },
  'io.k8s.api.batch.v1.JobSpec': { template: 'struct' },
  'io.k8s.api.batch.v1.CronJobSpec': { jobTemplate: 'struct' },
  'io.k8s.api.batch.v1.JobTemplateSpec': { metadata: 'struct', spec: 'struct' },
};

/** Top-level objects: metadata, spec and status are non-pointer structs in every built-in kind. */
const ROOT_STRUCTS = ['metadata', 'spec', 'status'];

/** A copy of `obj` with the zero values upstream's typed form would have. */
export function normalize(
  obj: Record<string, unknown>,
  schema: SchemaNode | undefined,
): Record<string, unknown> {
  const out = jsonClone(obj);
  if (!schema) return out;
  const root = resolveNode(schema);
  for (const f of ROOT_STRUCTS) {
    const prop = root?.properties?.[f];
    if (prop?.ref && resolveNode(prop)?.properties && !(f in out)) out[f] = {};
  }
  fill(out, { node: schema });
  return out;
}

function fill(v: unknown, ref: TypeRef): void {
  const atom = atomOf(ref);
  if (atom.kind === 'list' && Array.isArray(v)) {
    if (atom.rel !== 'atomic') for (const item of v) fill(item, atom.elem);
    return;
  }
  if (atom.kind !== 'map' || atom.atomic || typeof v !== 'object' || v === null || Array.isArray(v)) return;
  const o = v as Record<string, unknown>;
  const zeros = ZERO_FIELDS[atom.def];
  if (zeros) {
    for (const [f, z] of Object.entries(zeros)) if (!(f in o)) o[f] = z === 'struct' ? {} : null;
  }
  for (const [k, child] of Object.entries(o)) {
    const prop = atom.fields?.[k] ?? (atom.elem?.node ? atom.elem.node : undefined);
    if (prop) fill(child, { node: prop });
  }
}

/** Drop the null zero values again (a JSON object stores absence, not null). */
export function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(v)) if (e !== null) out[k] = dropNulls(e);
  return out;
}
