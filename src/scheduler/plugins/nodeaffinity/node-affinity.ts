// NodeAffinity: spec.nodeSelector and required node affinity filter; preferred terms score by
// the sum of matching weights. A required term that pins metadata.name narrows the node set at
// PreFilter so the other nodes are never examined.
import { ImmutableState } from '../../framework/cycle-state.ts';
import { ActionType, EventResource, event } from '../../framework/events.ts';
import {
  type EnqueueExtensions,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.ts';
import { defaultNormalizeScore } from '../../framework/normalize.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { Node, NodeSelectorTerm, Pod } from '../../types.ts';
import { NODE_NAME_FIELD, podMatchesNodeSelectorAndAffinity, termMatches } from '../helpers/node-selector.ts';

export const NAME = 'NodeAffinity';
export const REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const REASON_CONFLICT = 'pod affinity terms conflict';
const PRE_SCORE_KEY = `PreScore${NAME}`;

/** Node names a pod's required terms pin with matchFields metadata.name In; undefined: no pin. */
export function pinnedNodeNames(terms: readonly NodeSelectorTerm[]): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== NODE_NAME_FIELD || r.operator !== 'In') continue;
      const s = new Set(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
    }
    // Terms are ORed: one term without a name pin lets every node through.
    if (!termNames) return undefined;
    names = new Set([...(names ?? []), ...termNames]);
  }
  return names;
}

/** Sum of weights of the preferred terms the node matches. */
export function preferredScore(pod: Pod, node: Node): number {
  let score = 0;
  for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (p.weight !== 0 && termMatches(p.preference, node)) score += p.weight;
  }
  return score;
}

const REJECT = newStatus(Code.UnschedulableAndUnresolvable, REASON_POD);

export const newNodeAffinity = (): PreFilterPlugin &
  FilterPlugin &
  PreScorePlugin &
  ScorePlugin &
  EnqueueExtensions => ({
  name: NAME,
  preFilter(_s, pod) {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !pod.spec?.nodeSelector) return { status: newStatus(Code.Skip) };
    const terms = required?.nodeSelectorTerms ?? [];
    if (terms.length === 0) return undefined;
    const names = pinnedNodeNames(terms);
    if (names && names.size === 0)
      return { status: newStatus(Code.UnschedulableAndUnresolvable, REASON_CONFLICT) };
    return names ? { nodeNames: names } : undefined;
  },
  filter: (_s, pod, ni): Status | undefined =>
    podMatchesNodeSelectorAndAffinity(pod, ni.node) ? undefined : REJECT,
  preScore(state, pod) {
    const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (preferred.length === 0) return newStatus(Code.Skip);
    state.write(PRE_SCORE_KEY, new ImmutableState(true));
    return undefined;
  },
  score: (_s, pod, ni) => preferredScore(pod, ni.node),
  normalizeScore(_s, _p, scores) {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
    return undefined;
  },
  events: () => [
    { event: event(EventResource.Node, ActionType.Add | ActionType.UpdateNodeLabel, 'NodeLabelChange') },
    { event: event(EventResource.UnscheduledPod, ActionType.UpdateOther, 'PodAffinityChange') },
  ],
});
