// A deployment's status from its ReplicaSets and the progress predicates over it (upstream
// sync.go calculateStatus, deployment_util.go DeploymentComplete/Progressing/TimedOut).
import type { KObject } from '../../api/object.ts';
import { fromTimestamp } from '../common/time.ts';
import {
  CONDITION_AVAILABLE,
  CONDITION_PROGRESSING,
  getCondition,
  MESSAGE_MIN_AVAILABLE,
  MESSAGE_MIN_UNAVAILABLE,
  newCondition,
  REASON_MIN_AVAILABLE,
  REASON_MIN_UNAVAILABLE,
  REASON_NEW_RS_AVAILABLE,
  REASON_TIMED_OUT,
  setCondition,
} from './conditions.ts';
import { maxUnavailable, specReplicas, sumSpecReplicas, sumStatus } from './replicas.ts';

/** progressDeadlineSeconds set and not MaxInt32 (upstream's "no deadline"). */
const MAX_INT32 = 2_147_483_647;
export const hasProgressDeadline = (d: KObject): boolean =>
  typeof d.spec?.progressDeadlineSeconds === 'number' && d.spec.progressDeadlineSeconds !== MAX_INT32;

export function calculateStatus(
  allRSs: readonly KObject[],
  newRS: KObject | undefined,
  d: KObject,
  nowMs: number,
): KObject {
  const available = sumStatus(allRSs, 'availableReplicas');
  const total = sumSpecReplicas(allRSs);
  const status: KObject = {
    observedGeneration: d.metadata?.generation,
    replicas: sumStatus(allRSs, 'replicas'),
    updatedReplicas: newRS ? Number(newRS.status?.replicas ?? 0) : 0,
    readyReplicas: sumStatus(allRSs, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions) status.conditions = structuredClone(d.status.conditions);
  if (available >= specReplicas(d) - maxUnavailable(d)) {
    setCondition(
      status,
      newCondition(CONDITION_AVAILABLE, 'True', REASON_MIN_AVAILABLE, MESSAGE_MIN_AVAILABLE, nowMs),
    );
  } else {
    setCondition(
      status,
      newCondition(CONDITION_AVAILABLE, 'False', REASON_MIN_UNAVAILABLE, MESSAGE_MIN_UNAVAILABLE, nowMs),
    );
  }
  return status;
}

export function deploymentComplete(d: KObject, s: KObject): boolean {
  const want = specReplicas(d);
  return (
    s.updatedReplicas === want &&
    s.replicas === want &&
    s.availableReplicas === want &&
    Number(s.observedGeneration ?? 0) >= Number(d.metadata?.generation ?? 0)
  );
}

/** Any progress since the status the deployment carries. */
export function deploymentProgressing(d: KObject, s: KObject): boolean {
  const old = d.status ?? {};
  const oldOld = Number(old.replicas ?? 0) - Number(old.updatedReplicas ?? 0);
  const newOld = Number(s.replicas ?? 0) - Number(s.updatedReplicas ?? 0);
  return (
    Number(s.updatedReplicas ?? 0) > Number(old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    Number(s.readyReplicas ?? 0) > Number(old.readyReplicas ?? 0) ||
    Number(s.availableReplicas ?? 0) > Number(old.availableReplicas ?? 0)
  );
}

/** When the Progressing condition's deadline passes (undefined: no deadline applies). */
export function progressDeadlineAt(d: KObject, s: KObject): number | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const c = getCondition(s, CONDITION_PROGRESSING);
  if (!c || c.reason === REASON_NEW_RS_AVAILABLE || c.reason === REASON_TIMED_OUT) return undefined;
  const from = fromTimestamp(c.lastUpdateTime);
  return from === undefined ? undefined : from + Number(d.spec.progressDeadlineSeconds) * 1000;
}

export function deploymentTimedOut(d: KObject, s: KObject, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, CONDITION_PROGRESSING);
  if (!c || c.reason === REASON_NEW_RS_AVAILABLE) return false;
  if (c.reason === REASON_TIMED_OUT) return true;
  const at = progressDeadlineAt(d, s);
  return at !== undefined && at < nowMs;
}
