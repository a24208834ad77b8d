// The annotations a Deployment and its ReplicaSets carry (upstream deployment_util.go): the
// revision kubectl's `rollout history`/`undo` read, the history of revisions a reused ReplicaSet
// has had, and the desired/max replica counts proportional scaling needs.
import type { KObject } from '../../api/object.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Upstream --deployment-controller max revision history annotation length. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Deployment annotations that are the controller's own or kubectl's, never copied to ReplicaSets. */
const SKIPPED = new Set([
  LAST_APPLIED,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO,
]);

/** A revision annotation as a number (absent or unreadable: 0). */
export function revisionOf(obj: KObject | undefined): number {
  const v = obj?.metadata?.annotations?.[REVISION_ANNOTATION];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

export const maxRevision = (rss: readonly KObject[]): number =>
  rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);

/** Copies the deployment's own annotations onto the RS (mutates rs); true if anything changed. */
function copyDeploymentAnnotations(d: KObject, rs: KObject): boolean {
  rs.metadata ??= {};
  rs.metadata.annotations ??= {};
  const a = rs.metadata.annotations;
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (SKIPPED.has(k) || a[k] === v) continue;
    a[k] = v as string;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas (mutates rs); true if they changed. */
export function setReplicasAnnotations(rs: KObject, desired: number, max: number): boolean {
  rs.metadata ??= {};
  rs.metadata.annotations ??= {};
  const a = rs.metadata.annotations;
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: KObject, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

export function annotatedInt(rs: KObject, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Upstream SetNewReplicaSetAnnotations (mutates rs): copies the deployment's annotations, moves
 * the revision forward (recording the old one in revision-history when an old RS is reused), and
 * for a brand-new RS sets the replica annotations. True if anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: KObject,
  rs: KObject,
  newRevision: number,
  exists: boolean,
  maxSurge: number,
): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = rs.metadata!.annotations!;
  const oldRevision = a[REVISION_ANNOTATION];
  const oldRevisionInt = oldRevision ? Number.parseInt(oldRevision, 10) || 0 : 0;
  if (oldRevisionInt < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevision) {
      const history = a[REVISION_HISTORY_ANNOTATION];
      const entries = history ? history.split(',') : [];
      entries.push(oldRevision);
      // Keep the newest entries that fit the length limit.
      while (entries.join(',').length > MAX_REVISION_HISTORY_CHARS && entries.length > 1) entries.shift();
      a[REVISION_HISTORY_ANNOTATION] = entries.join(',');
    }
  }
  const replicas = Number(d.spec?.replicas ?? 1);
  if (!exists && setReplicasAnnotations(rs, replicas, replicas + maxSurge)) changed = true;
  return changed;
}
