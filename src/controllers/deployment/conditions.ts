// Deployment conditions with upstream's reasons (deployment_util.go) and its update rule: a
// condition with the same status and reason is left alone (message included); lastTransitionTime
// is kept while the status stays.
import type { KObject } from '../../api/object.ts';
import type { Condition } from '../common/conditions.ts';
import { toTimestamp } from '../common/time.ts';

export const CONDITION_AVAILABLE = 'Available';
export const CONDITION_PROGRESSING = 'Progressing';
export const CONDITION_REPLICA_FAILURE = 'ReplicaFailure';

export const REASON_NEW_RS_CREATED = 'NewReplicaSetCreated';
export const REASON_FOUND_NEW_RS = 'FoundNewReplicaSet';
export const REASON_RS_UPDATED = 'ReplicaSetUpdated';
export const REASON_NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const REASON_TIMED_OUT = 'ProgressDeadlineExceeded';
export const REASON_PAUSED = 'DeploymentPaused';
export const REASON_RESUMED = 'DeploymentResumed';
export const REASON_FAILED_RS_CREATE = 'ReplicaSetCreateError';
export const REASON_MIN_AVAILABLE = 'MinimumReplicasAvailable';
export const REASON_MIN_UNAVAILABLE = 'MinimumReplicasUnavailable';

export const MESSAGE_MIN_AVAILABLE = 'Deployment has minimum availability.';
export const MESSAGE_MIN_UNAVAILABLE = 'Deployment does not have minimum availability.';
export const MESSAGE_PAUSED = 'Deployment is paused';
export const MESSAGE_RESUMED = 'Deployment is resumed';

export function newCondition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  nowMs: number,
): Condition {
  const t = toTimestamp(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export const getCondition = (status: KObject | undefined, type: string): Condition | undefined =>
  (status?.conditions ?? []).find((c: Condition) => c.type === type);

/** Upstream SetDeploymentCondition (mutates status). */
export function setCondition(status: KObject, cond: Condition): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  const next = { ...cond };
  if (cur && cur.status === cond.status) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c: Condition) => c.type !== cond.type), next];
}

export function removeCondition(status: KObject, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c: Condition) => c.type !== type);
}
