// A ReplicaSet's (or ReplicationController's) status from the pods it owns (upstream
// replica_set_utils.go calculateStatus): counts, observedGeneration, and the ReplicaFailure
// condition while creating or deleting pods fails.
import type { KObject } from '../../api/object.ts';
import { type Condition, removeCondition, setCondition } from '../common/conditions.ts';
import { isPodAvailable, isPodReady } from '../common/pod-util.ts';
import { toTimestamp } from '../common/time.ts';

export const CONDITION_REPLICA_FAILURE = 'ReplicaFailure';

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface ManageFailure {
  reason: string;
  message: string;
}

export function calculateStatus(
  rs: KObject,
  activePods: readonly KObject[],
  failure: ManageFailure | undefined,
  nowMs: number,
): ReplicaStatus {
  const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = Number(rs.spec?.minReadySeconds ?? 0);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of activePods) {
    const labels = p.metadata?.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, nowMs)) available++;
    }
  }
  let conditions: Condition[] = rs.status?.conditions ?? [];
  if (failure) {
    conditions = setCondition(conditions, {
      type: CONDITION_REPLICA_FAILURE,
      status: 'True',
      reason: failure.reason,
      message: failure.message,
      lastTransitionTime: toTimestamp(nowMs),
    });
  } else {
    conditions = removeCondition(conditions, CONDITION_REPLICA_FAILURE);
  }
  const status: ReplicaStatus = {
    replicas: activePods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata?.generation,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Whether a status write would change anything (upstream skips identical updates). */
export function statusDiffers(cur: KObject | undefined, next: ReplicaStatus): boolean {
  const c = cur ?? {};
  return (
    (c.replicas ?? 0) !== next.replicas ||
    (c.fullyLabeledReplicas ?? 0) !== next.fullyLabeledReplicas ||
    (c.readyReplicas ?? 0) !== next.readyReplicas ||
    (c.availableReplicas ?? 0) !== next.availableReplicas ||
    c.observedGeneration !== next.observedGeneration ||
    JSON.stringify(c.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
