// Status conditions as the workload controllers keep them: one per type; lastTransitionTime moves
// only when the status flips (upstream SetDeploymentCondition/SetReplicaSetCondition).
import type { KObject } from '../../api/object.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

export const findCondition = (
  conditions: readonly KObject[] | undefined,
  type: string,
): Condition | undefined => (conditions ?? []).find((c) => c.type === type) as Condition | undefined;

/**
 * Returns the conditions with `cond` set. If a condition of that type exists with the same status
 * and reason, it is kept (a message change alone does not count as a transition); with the same
 * status, its lastTransitionTime is kept.
 */
export function setCondition(conditions: readonly KObject[] | undefined, cond: Condition): Condition[] {
  const list = (conditions ?? []) as Condition[];
  const cur = list.find((c) => c.type === cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason && cur.message === cond.message) {
    return [...list];
  }
  const next = { ...cond };
  if (cur && cur.status === cond.status && cur.lastTransitionTime)
    next.lastTransitionTime = cur.lastTransitionTime;
  return [...list.filter((c) => c.type !== cond.type), next];
}

export const removeCondition = (conditions: readonly KObject[] | undefined, type: string): Condition[] =>
  ((conditions ?? []) as Condition[]).filter((c) => c.type !== type);
