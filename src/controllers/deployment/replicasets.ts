// Which of a deployment's ReplicaSets is the new one and which are old, and the orderings and
// filters upstream's deployment_util.go uses over them. Pure.
import type { KObject } from '../../api/object.ts';
import { canonicalJson } from '../common/hash.ts';
import { fromTimestamp } from '../common/time.ts';
import { revisionOf } from './annotations.ts';
import { specReplicas } from './replicas.ts';

/** The label that tells a deployment's ReplicaSets (and their pods) apart. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Drops null-valued fields: kubectl sends `creationTimestamp: null` where the server omits it. */
function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
  return out;
}

/** The template as it is compared and hashed (Go decodes null and absent alike). */
export const normalizedTemplate = (template: KObject | undefined): KObject =>
  stripNulls(template ?? {}) as KObject;

function withoutHash(template: KObject | undefined): unknown {
  const t = normalizedTemplate(template);
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

/** Upstream EqualIgnoreHash: templates equal but for the pod-template-hash label. */
export const equalIgnoreHash = (a: KObject | undefined, b: KObject | undefined): boolean =>
  canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));

const created = (rs: KObject): number => fromTimestamp(rs.metadata?.creationTimestamp) ?? 0;

/** Oldest first; ties by name (upstream ReplicaSetsByCreationTimestamp). */
export function byCreation(a: KObject, b: KObject): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/** Lowest revision first; ties by creation (upstream ReplicaSetsByRevision). */
export function byRevision(a: KObject, b: KObject): number {
  const d = revisionOf(a) - revisionOf(b);
  return d !== 0 ? d : byCreation(a, b);
}

/** Upstream FindNewReplicaSet: the oldest ReplicaSet whose template is the deployment's. */
export function findNewReplicaSet(d: KObject, rss: readonly KObject[]): KObject | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export const oldReplicaSets = (rss: readonly KObject[], newRS: KObject | undefined): KObject[] =>
  rss.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid);

export const filterActive = (rss: readonly (KObject | undefined)[]): KObject[] =>
  rss.filter((rs): rs is KObject => rs !== undefined && specReplicas(rs) > 0);

/** Upstream FindActiveOrLatest: the only active RS, else the newest when none is active. */
export function findActiveOrLatest(
  newRS: KObject | undefined,
  oldRSs: readonly KObject[],
): KObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}
