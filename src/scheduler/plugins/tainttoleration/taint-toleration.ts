// TaintToleration: Filter rejects nodes with an untolerated NoSchedule/NoExecute taint; Score
// counts untolerated PreferNoSchedule taints (fewer is better, so normalization is reversed).
import { ImmutableState } from '../../framework/cycle-state.ts';
import { ActionType, EventResource, event } from '../../framework/events.ts';
import {
  type EnqueueExtensions,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.ts';
import { defaultNormalizeScore } from '../../framework/normalize.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { Taint, Toleration } from '../../types.ts';
import { anyTolerates, findUntoleratedTaint } from '../helpers/taints.ts';

export const NAME = 'TaintToleration';
export const UNTOLERATED_TAINT = (t: Taint): string =>
  `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
const FILTER_EFFECTS = ['NoSchedule', 'NoExecute'];
const PRE_SCORE_KEY = `PreScore${NAME}`;

/** Untolerated PreferNoSchedule taints, counting only tolerations that could tolerate them. */
export function countIntolerablePreferNoSchedule(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): number {
  let n = 0;
  for (const t of taints) {
    if (t.effect !== 'PreferNoSchedule') continue;
    if (!anyTolerates(tolerations, t)) n++;
  }
  return n;
}

export const newTaintToleration = (): FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions => ({
  name: NAME,
  filter(_s, pod, ni): Status | undefined {
    const taint = findUntoleratedTaint(
      ni.node.spec?.taints ?? [],
      pod.spec?.tolerations ?? [],
      FILTER_EFFECTS,
    );
    return taint ? newStatus(Code.UnschedulableAndUnresolvable, UNTOLERATED_TAINT(taint)) : undefined;
  },
  preScore(state, pod) {
    const prefer = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(PRE_SCORE_KEY, new ImmutableState(prefer));
    return undefined;
  },
  score(state, _pod, ni) {
    const tolerations = state.read<ImmutableState<Toleration[]>>(PRE_SCORE_KEY)?.value ?? [];
    return countIntolerablePreferNoSchedule(ni.node.spec?.taints ?? [], tolerations);
  },
  normalizeScore(_s, _p, scores) {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
    return undefined;
  },
  events: () => [
    { event: event(EventResource.Node, ActionType.Add | ActionType.UpdateNodeTaint, 'NodeTaintChange') },
    { event: event(EventResource.UnscheduledPod, ActionType.UpdatePodTolerations, 'PodTolerations') },
  ],
});
