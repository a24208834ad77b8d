// Replica arithmetic of a rollout (upstream deployment_util.go): surge/unavailable fenceposts,
// the new ReplicaSet's next size, and proportional scaling of several ReplicaSets when the
// deployment is resized mid-rollout.
import type { KObject } from '../../api/object.ts';
import { scaledValue } from '../common/int-or-percent.ts';
import { annotatedInt, MAX_REPLICAS_ANNOTATION } from './annotations.ts';

export const RECREATE = 'Recreate';
export const ROLLING_UPDATE = 'RollingUpdate';

export const specReplicas = (o: KObject | undefined): number => Number(o?.spec?.replicas ?? 0);
export const isRollingUpdate = (d: KObject): boolean =>
  (d.spec?.strategy?.type ?? ROLLING_UPDATE) === ROLLING_UPDATE;

/** maxSurge rounds up, maxUnavailable down; both zero would deadlock, so unavailable becomes 1. */
export function resolveFenceposts(
  maxSurge: unknown,
  maxUnavailable: unknown,
  desired: number,
): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: KObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, specReplicas(d))[0];
}

export function maxUnavailable(d: KObject): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const u = resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas)[1];
  return Math.min(u, replicas);
}

export const sumSpecReplicas = (rss: readonly KObject[]): number =>
  rss.reduce((n, rs) => n + specReplicas(rs), 0);
export const sumStatus = (rss: readonly KObject[], field: string): number =>
  rss.reduce((n, rs) => n + Number(rs.status?.[field] ?? 0), 0);

/** The size the new RS may grow to now (upstream NewRSNewReplicas). */
export function newRSNewReplicas(d: KObject, allRSs: readonly KObject[], newRS: KObject): number {
  if (!isRollingUpdate(d)) return specReplicas(d);
  const current = sumSpecReplicas(allRSs);
  const maxTotal = specReplicas(d) + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, specReplicas(d) - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** Upstream IsSaturated: the new RS alone is the whole deployment, all available. */
export function isSaturated(d: KObject, newRS: KObject | undefined): boolean {
  if (!newRS) return false;
  const desired = annotatedInt(newRS, 'deployment.kubernetes.io/desired-replicas');
  if (desired === undefined) return false;
  return (
    specReplicas(newRS) === specReplicas(d) &&
    desired === specReplicas(d) &&
    Number(newRS.status?.availableReplicas ?? 0) === specReplicas(d)
  );
}

/** Upstream getReplicaSetFraction: this RS's share of a resize, from its max-replicas annotation. */
function replicaSetFraction(rs: KObject, d: KObject): number {
  if (specReplicas(d) === 0) return -specReplicas(rs);
  const deploymentReplicas = specReplicas(d) + maxSurge(d);
  const annotated = annotatedInt(rs, MAX_REPLICAS_ANNOTATION) ?? Number(d.status?.replicas ?? 0);
  if (annotated === 0) return 0;
  // Go's math.Round: half away from zero.
  const size = (specReplicas(rs) * deploymentReplicas) / annotated;
  return Math.sign(size) * Math.round(Math.abs(size)) - specReplicas(rs);
}

function proportion(rs: KObject, d: KObject, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

const created = (rs: KObject): number => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0;

/**
 * Upstream's proportional scaling for a rolling deployment resized mid-rollout: spreads the
 * difference across the active ReplicaSets by their share, leftovers to the largest (newest on
 * scale up, oldest on scale down). Returns RS name → new size.
 */
export function proportionalSizes(d: KObject, activeRSs: readonly KObject[]): Map<string, number> {
  const allowed = specReplicas(d) > 0 ? specReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(activeRSs);
  const sorted = [...activeRSs].sort((a, b) => {
    const bySize = specReplicas(b) - specReplicas(a);
    if (bySize !== 0) return bySize;
    // Larger first; ties newer first when growing, older first when shrinking.
    return toAdd > 0 ? created(b) - created(a) : created(a) - created(b);
  });
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    const p = proportion(rs, d, toAdd, added);
    sizes.set(rs.metadata!.name!, specReplicas(rs) + p);
    added += p;
  }
  if (sorted.length && toAdd !== added) {
    const first = sorted[0].metadata!.name!;
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  return sizes;
}
