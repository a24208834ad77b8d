// Pod predicates and orderings shared by the workload controllers (upstream controller_utils.go
// and api/v1/pod/util.go): active, ready, available after minReadySeconds, and the ranking that
// picks which pods to delete first when scaling down.
import type { KObject } from '../../api/object.ts';
import { fromTimestamp } from './time.ts';

export const POD_SUCCEEDED = 'Succeeded';
export const POD_FAILED = 'Failed';
export const POD_RUNNING = 'Running';
export const POD_PENDING = 'Pending';
export const POD_UNKNOWN = 'Unknown';
export const CONDITION_READY = 'Ready';

export const isPodTerminal = (pod: KObject): boolean =>
  pod.status?.phase === POD_SUCCEEDED || pod.status?.phase === POD_FAILED;

/** Counts towards replicas: not finished and not being deleted. */
export const isPodActive = (pod: KObject): boolean => !isPodTerminal(pod) && !pod.metadata?.deletionTimestamp;

export function podCondition(pod: KObject, type: string): KObject | undefined {
  return (pod.status?.conditions ?? []).find((c: KObject) => c.type === type);
}

export const isPodReady = (pod: KObject): boolean => podCondition(pod, CONDITION_READY)?.status === 'True';

/** Ready for at least minReadySeconds (upstream IsPodAvailable). */
export function isPodAvailable(pod: KObject, minReadySeconds: number, nowMs: number): boolean {
  const c = podCondition(pod, CONDITION_READY);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = fromTimestamp(c.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 <= nowMs;
}

/**
 * When a ready pod that is not yet available becomes available, so a controller can requeue its
 * owner then instead of polling. Undefined if the pod is not ready (or already available).
 */
export function availableAt(pod: KObject, minReadySeconds: number, nowMs: number): number | undefined {
  const c = podCondition(pod, CONDITION_READY);
  if (c?.status !== 'True' || !minReadySeconds) return undefined;
  const since = fromTimestamp(c.lastTransitionTime);
  if (since === undefined) return undefined;
  const at = since + minReadySeconds * 1000;
  return at > nowMs ? at : undefined;
}

const PHASE_RANK: Record<string, number> = { [POD_PENDING]: 0, [POD_UNKNOWN]: 1, [POD_RUNNING]: 2 };

const restarts = (pod: KObject): number =>
  (pod.status?.containerStatuses ?? []).reduce(
    (max: number, s: KObject) => Math.max(max, Number(s.restartCount ?? 0)),
    0,
  );

/**
 * Upstream ActivePods ordering: the pods to delete first sort first — unscheduled before
 * scheduled, Pending before Unknown before Running, not-ready before ready, ready for less time
 * before longer, more restarts before fewer, newer before older.
 */
export function compareForDeletion(a: KObject, b: KObject): number {
  const nodeA = a.spec?.nodeName ? 1 : 0;
  const nodeB = b.spec?.nodeName ? 1 : 0;
  if (nodeA !== nodeB) return nodeA - nodeB;
  const phaseA = PHASE_RANK[a.status?.phase ?? POD_PENDING] ?? 0;
  const phaseB = PHASE_RANK[b.status?.phase ?? POD_PENDING] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  if (readyA && readyB) {
    const tA = fromTimestamp(podCondition(a, CONDITION_READY)?.lastTransitionTime) ?? 0;
    const tB = fromTimestamp(podCondition(b, CONDITION_READY)?.lastTransitionTime) ?? 0;
    if (tA !== tB) return tB - tA;
  }
  const rA = restarts(a);
  const rB = restarts(b);
  if (rA !== rB) return rB - rA;
  const cA = fromTimestamp(a.metadata?.creationTimestamp) ?? 0;
  const cB = fromTimestamp(b.metadata?.creationTimestamp) ?? 0;
  return cB - cA;
}
