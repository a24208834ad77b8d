// Topology spread constraints as the plugin uses them: selectors parsed once, matchLabelKeys
// folded in, policies defaulted (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore, minDomains 1).
import { type LabelSelector, labelSelectorFromObject, NOTHING } from '../../../api/selectors/index.ts';
import type { Node, Pod, TopologySpreadConstraint } from '../../types.ts';
import { podMatchesNodeSelectorAndAffinity } from '../helpers/node-selector.ts';
import { findUntoleratedTaint } from '../helpers/taints.ts';

export const HOSTNAME_KEY = 'kubernetes.io/hostname';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  hard: boolean;
  selector: LabelSelector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

/** Upstream's system default constraints (both soft), applied when a pod declares none. */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly Omit<TopologySpreadConstraint, 'labelSelector'>[] = [
  { maxSkew: 3, topologyKey: HOSTNAME_KEY, whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: ZONE_KEY, whenUnsatisfiable: 'ScheduleAnyway' },
];

function selectorWithMatchLabelKeys(c: TopologySpreadConstraint, pod: Pod): LabelSelector {
  const labels = pod.metadata?.labels ?? {};
  const extra = (c.matchLabelKeys ?? []).filter((k) => Object.hasOwn(labels, k));
  try {
    const base = c.labelSelector ?? null;
    if (extra.length === 0 || base === null) return labelSelectorFromObject(base);
    const matchExpressions = [...(base.matchExpressions ?? [])];
    for (const k of extra) matchExpressions.push({ key: k, operator: 'In', values: [labels[k]] });
    return labelSelectorFromObject({ ...base, matchExpressions });
  } catch {
    return NOTHING;
  }
}

export function toConstraint(c: TopologySpreadConstraint, pod: Pod): Constraint {
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    hard: c.whenUnsatisfiable === 'DoNotSchedule',
    selector: selectorWithMatchLabelKeys(c, pod),
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
  };
}

/** Whether the node counts toward the constraint's domains (the two node inclusion policies). */
export function nodeIncluded(c: Constraint, pod: Pod, node: Node): boolean {
  if (c.honorNodeAffinity && !podMatchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.honorNodeTaints) {
    const t = findUntoleratedTaint(node.spec?.taints ?? [], pod.spec?.tolerations ?? [], [
      'NoSchedule',
      'NoExecute',
    ]);
    if (t) return false;
  }
  return true;
}

export function hasAllKeys(constraints: readonly Constraint[], node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const c of constraints) if (!Object.hasOwn(labels, c.topologyKey)) return false;
  return true;
}
