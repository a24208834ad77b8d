// Node taints the lifecycle controller owns and how pods tolerate them (upstream
// pkg/controller/nodelifecycle and pkg/controller/tainteviction, v1 helper ToleratesTaint).
import type { KObject } from '../../api/object.ts';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const NO_EXECUTE = 'NoExecute';
export const NO_SCHEDULE = 'NoSchedule';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

const OWNED = new Set([TAINT_UNREACHABLE, TAINT_NOT_READY]);

/** The taints a node should carry for its Ready status ('True' | 'False' | 'Unknown' | undefined). */
export function wantedTaintKey(ready: string | undefined): string | undefined {
  if (ready === 'Unknown') return TAINT_UNREACHABLE;
  if (ready === 'False') return TAINT_NOT_READY;
  return undefined;
}

/**
 * The node's taints with ours set for its readiness: the other owned key removed, ours added
 * (NoExecute stamped with timeAdded) if missing; others' taints untouched. Undefined: no change.
 */
export function reconcileTaints(
  current: readonly Taint[],
  ready: string | undefined,
  now: string,
): Taint[] | undefined {
  const want = wantedTaintKey(ready);
  const kept = current.filter((t) => !OWNED.has(t.key) || t.key === want);
  const next = [...kept];
  if (want) {
    if (!kept.some((t) => t.key === want && t.effect === NO_SCHEDULE))
      next.push({ key: want, effect: NO_SCHEDULE });
    if (!kept.some((t) => t.key === want && t.effect === NO_EXECUTE))
      next.push({ key: want, effect: NO_EXECUTE, timeAdded: now });
  }
  return next.length === current.length && kept.length === current.length ? undefined : next;
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/**
 * How long a pod may stay on a node with these NoExecute taints, in ms: 0 when one is not
 * tolerated, undefined when all are tolerated forever. Pods without any toleration for the
 * not-ready/unreachable taints get `defaultMs` (what the DefaultTolerationSeconds admission adds).
 */
export function evictionDelayMs(
  pod: KObject,
  taints: readonly Taint[],
  defaultMs: number,
): number | undefined {
  const tolerations: Toleration[] = pod.spec?.tolerations ?? [];
  let delay: number | undefined;
  const min = (ms: number) => {
    delay = delay === undefined ? ms : Math.min(delay, ms);
  };
  for (const taint of taints) {
    if (taint.effect !== NO_EXECUTE) continue;
    const matching = tolerations.filter((t) => tolerates(t, taint));
    if (matching.length === 0) {
      min(OWNED.has(taint.key) ? defaultMs : 0);
      continue;
    }
    for (const t of matching)
      if (typeof t.tolerationSeconds === 'number') min(Math.max(0, t.tolerationSeconds) * 1000);
  }
  return delay;
}
