// A PodDisruptionBudget's status from its pods and their controllers' scale (upstream
// pkg/controller/disruption: getExpectedPodCount, countHealthyPods, buildDisruptedPodMap,
// UpdateDisruptionAllowedCondition), as a pure function.
import type { KObject } from '../../api/object.ts';

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';
export const SYNC_FAILED = 'SyncFailed';
/** How long an eviction's entry in disruptedPods holds the pod out of the healthy count (upstream DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** A pod's controller and its desired replicas; undefined for a pod without a controller. */
export type ScaleFinder = (pod: KObject) => { uid: string; replicas: number } | undefined;

export interface BudgetResult {
  status: KObject;
  /** When the next disruptedPods entry expires (ms), if any: the budget needs another look then. */
  recheckAtMs?: number;
}

const isReady = (pod: KObject): boolean =>
  (pod.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True');

/** intstr scaled against total: `50%` of 5 rounds up to 3 (GetScaledValueFromIntOrPercent). */
export function scaled(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) {
    if (/^\d+$/.test(value)) return Number(value);
    throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  }
  const v = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(v) : Math.floor(v);
}

const isPercent = (v: unknown): boolean => typeof v === 'string' && v.endsWith('%');

function expectedScale(pods: readonly KObject[], find: ScaleFinder): number {
  const seen = new Map<string, number>();
  for (const p of pods) {
    const s = find(p);
    if (s) seen.set(s.uid, s.replicas);
  }
  let sum = 0;
  for (const n of seen.values()) sum += n;
  return sum;
}

function condition(
  old: KObject | undefined,
  status: string,
  reason: string,
  message: string,
  generation: number,
  now: string,
): KObject {
  const same = old && old.status === status && old.reason === reason && old.message === message;
  return {
    type: DISRUPTION_ALLOWED,
    status,
    observedGeneration: generation,
    lastTransitionTime: same ? old.lastTransitionTime : now,
    reason,
    message,
  };
}

/** The budget's status given the pods its selector picks (same namespace). */
export function computeBudget(
  pdb: KObject,
  pods: readonly KObject[],
  find: ScaleFinder,
  nowMs: number,
  now: string,
): BudgetResult {
  const generation = pdb.metadata?.generation ?? 0;
  const oldCondition = (pdb.status?.conditions ?? []).find((c: KObject) => c.type === DISRUPTION_ALLOWED);
  const keepOther = (pdb.status?.conditions ?? []).filter((c: KObject) => c.type !== DISRUPTION_ALLOWED);
  const spec = pdb.spec ?? {};
  let expected: number;
  let desired: number;
  try {
    if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
      expected = expectedScale(pods, find);
      desired = Math.max(0, expected - scaled(spec.maxUnavailable, expected, true));
    } else if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
      if (isPercent(spec.minAvailable)) {
        expected = expectedScale(pods, find);
        desired = scaled(spec.minAvailable, expected, true);
      } else {
        expected = pods.length;
        desired = scaled(spec.minAvailable, expected, true);
      }
    } else {
      expected = pods.length;
      desired = 0;
    }
  } catch (err) {
    // Fail safe: no disruption while the budget cannot be computed.
    const message = (err as Error).message;
    return {
      status: {
        ...pdb.status,
        disruptionsAllowed: 0,
        conditions: [...keepOther, condition(oldCondition, 'False', SYNC_FAILED, message, generation, now)],
      },
    };
  }

  // Pods an eviction just let go still count as disrupted until they are deleted or time out.
  const byName = new Map(pods.map((p) => [p.metadata!.name!, p]));
  const disrupted: Record<string, string> = {};
  let recheckAtMs: number | undefined;
  for (const [name, at] of Object.entries((pdb.status?.disruptedPods ?? {}) as Record<string, string>)) {
    const pod = byName.get(name);
    if (!pod || pod.metadata?.deletionTimestamp) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expires <= nowMs) continue;
    disrupted[name] = at;
    recheckAtMs = recheckAtMs === undefined ? expires : Math.min(recheckAtMs, expires);
  }
  const healthy = pods.filter(
    (p) => !p.metadata?.deletionTimestamp && !disrupted[p.metadata!.name!] && isReady(p),
  ).length;
  let allowed = healthy - desired;
  if (expected <= 0 || allowed <= 0) allowed = 0;
  const status: KObject = {
    observedGeneration: generation,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy: desired,
    expectedPods: expected,
    conditions: [
      ...keepOther,
      allowed > 0
        ? condition(oldCondition, 'True', SUFFICIENT_PODS, '', generation, now)
        : condition(oldCondition, 'False', INSUFFICIENT_PODS, '', generation, now),
    ],
  };
  return { status, recheckAtMs };
}
