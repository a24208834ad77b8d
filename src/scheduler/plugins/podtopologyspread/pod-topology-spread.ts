// PodTopologySpread: hard constraints (DoNotSchedule) filter nodes whose domain would exceed
// maxSkew over the least-loaded domain; soft ones (ScheduleAnyway, or the system defaults) score
// nodes by how few matching pods their domains hold.
import { matchesLabels } from '../../../api/selectors/index.ts';
import type { NodeInfo } from '../../cache/node-info.ts';
import type { PodInfo } from '../../cache/pod-info.ts';
import type { Snapshot } from '../../cache/snapshot.ts';
import type { CycleState, StateData } from '../../framework/cycle-state.ts';
import { ActionType, EventResource, event } from '../../framework/events.ts';
import {
  type EnqueueExtensions,
  type FilterPlugin,
  type Handle,
  MAX_NODE_SCORE,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { Pod, TopologySpreadConstraint } from '../../types.ts';
import { podLabels, podNamespace } from '../../types.ts';
import {
  type Constraint,
  HOSTNAME_KEY,
  hasAllKeys,
  nodeIncluded,
  SYSTEM_DEFAULT_CONSTRAINTS,
  toConstraint,
} from './constraints.ts';

export const NAME = 'PodTopologySpread';
export const REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const REASON_MISSING_LABEL = `${REASON_CONSTRAINTS} (missing required label)`;
const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

export interface PodTopologySpreadArgs {
  /** 'System' (default): upstream's defaults; 'List': `defaultConstraints`. */
  defaultingType?: 'System' | 'List';
  defaultConstraints?: Omit<TopologySpreadConstraint, 'labelSelector'>[];
}

class FilterState implements StateData {
  constraints: Constraint[];
  /** Per constraint: domain value → matching pods. */
  counts: Map<string, number>[];

  constructor(constraints: Constraint[], counts: Map<string, number>[]) {
    this.constraints = constraints;
    this.counts = counts;
  }

  minMatch(i: number): number {
    const m = this.counts[i];
    if (m.size < this.constraints[i].minDomains) return 0;
    let min = Number.POSITIVE_INFINITY;
    for (const v of m.values()) if (v < min) min = v;
    return min === Number.POSITIVE_INFINITY ? 0 : min;
  }

  update(pod: Pod, other: PodInfo, ni: NodeInfo, n: number): void {
    if (podNamespace(other.pod) !== podNamespace(pod)) return;
    if (!hasAllKeys(this.constraints, ni.node)) return;
    const labels = ni.labels;
    this.constraints.forEach((c, i) => {
      if (!nodeIncluded(c, pod, ni.node)) return;
      if (!matchesLabels(c.selector, podLabels(other.pod))) return;
      const v = labels[c.topologyKey];
      this.counts[i].set(v, (this.counts[i].get(v) ?? 0) + n);
    });
  }

  clone(): StateData {
    return new FilterState(
      this.constraints,
      this.counts.map((m) => new Map(m)),
    );
  }
}

class ScoreState implements StateData {
  constraints: Constraint[] = [];
  ignored = new Set<string>();
  counts: Map<string, number>[] = [];
  weights: number[] = [];
  clone(): StateData {
    return this;
  }
}

/** Each domain count weighs log(domains + 2), so keys with many domains don't dominate. */
export const topologyNormalizingWeight = (size: number): number => Math.log(size + 2);

export function newPodTopologySpread(
  rawArgs: unknown,
  handle: Handle,
): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions {
  const args = (rawArgs ?? {}) as PodTopologySpreadArgs;
  const snapshot: Snapshot = handle.snapshot;
  const defaults =
    args.defaultingType === 'List' ? (args.defaultConstraints ?? []) : SYSTEM_DEFAULT_CONSTRAINTS;

  /** The pod's own constraints, or the defaults with a selector from its Services/controllers. */
  function constraintsOf(pod: Pod): { list: Constraint[]; systemDefaulted: boolean } {
    const own = pod.spec?.topologySpreadConstraints ?? [];
    if (own.length) return { list: own.map((c) => toConstraint(c, pod)), systemDefaulted: false };
    const sel = handle.host?.defaultSpreadSelector?.(pod);
    if (
      !sel ||
      (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
    )
      return { list: [], systemDefaulted: false };
    const list = defaults.map((d) =>
      toConstraint({ ...d, labelSelector: sel as TopologySpreadConstraint['labelSelector'] }, pod),
    );
    return { list, systemDefaulted: args.defaultingType !== 'List' };
  }

  const ext = {
    addPod: (state: CycleState, pod: Pod, pi: PodInfo, ni: NodeInfo) => {
      state.read<FilterState>(PRE_FILTER_KEY)?.update(pod, pi, ni, 1);
      return undefined;
    },
    removePod: (state: CycleState, pod: Pod, pi: PodInfo, ni: NodeInfo) => {
      state.read<FilterState>(PRE_FILTER_KEY)?.update(pod, pi, ni, -1);
      return undefined;
    },
  };

  return {
    name: NAME,
    preFilter(state, pod, nodes) {
      const hard = constraintsOf(pod).list.filter((c) => c.hard);
      if (hard.length === 0) return { status: newStatus(Code.Skip) };
      const counts = hard.map(() => new Map<string, number>());
      const ns = podNamespace(pod);
      for (const ni of nodes) {
        if (!hasAllKeys(hard, ni.node)) continue;
        hard.forEach((c, i) => {
          if (!nodeIncluded(c, pod, ni.node)) return;
          const v = ni.labels[c.topologyKey];
          counts[i].set(v, (counts[i].get(v) ?? 0) + ni.countMatching(ns, c.selector));
        });
      }
      state.write(PRE_FILTER_KEY, new FilterState(hard, counts));
      return undefined;
    },
    preFilterExtensions: () => ext,
    filter(state, pod, ni): Status | undefined {
      const s = state.read<FilterState>(PRE_FILTER_KEY);
      if (!s) return newStatus(Code.Error, `reading "${PRE_FILTER_KEY}" from cycleState: not found`);
      const labels = ni.labels;
      const own = podLabels(pod);
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        if (!Object.hasOwn(labels, c.topologyKey))
          return newStatus(Code.UnschedulableAndUnresolvable, REASON_MISSING_LABEL);
        const self = matchesLabels(c.selector, own) ? 1 : 0;
        const skew = (s.counts[i].get(labels[c.topologyKey]) ?? 0) + self - s.minMatch(i);
        if (skew > c.maxSkew) return newStatus(Code.Unschedulable, REASON_CONSTRAINTS);
      }
      return undefined;
    },
    preScore(state, pod, filtered) {
      const { list, systemDefaulted } = constraintsOf(pod);
      const soft = list.filter((c) => !c.hard);
      if (soft.length === 0) return newStatus(Code.Skip);
      const requireAll = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0 || !systemDefaulted;
      const s = new ScoreState();
      s.constraints = soft;
      s.counts = soft.map(() => new Map());
      const sizes = soft.map(() => new Set<string>());
      let counted = 0;
      for (const ni of filtered) {
        if (requireAll && !hasAllKeys(soft, ni.node)) {
          s.ignored.add(ni.name);
          continue;
        }
        counted++;
        soft.forEach((c, i) => {
          if (c.topologyKey === HOSTNAME_KEY || !Object.hasOwn(ni.labels, c.topologyKey)) return;
          const v = ni.labels[c.topologyKey];
          s.counts[i].set(v, 0);
          sizes[i].add(v);
        });
      }
      s.weights = soft.map((c, i) =>
        topologyNormalizingWeight(c.topologyKey === HOSTNAME_KEY ? counted : sizes[i].size),
      );
      const ns = podNamespace(pod);
      for (const ni of snapshot.list()) {
        if (requireAll && !hasAllKeys(soft, ni.node)) continue;
        soft.forEach((c, i) => {
          if (c.topologyKey === HOSTNAME_KEY || !nodeIncluded(c, pod, ni.node)) return;
          const v = ni.labels[c.topologyKey];
          if (v === undefined || !s.counts[i].has(v)) return;
          s.counts[i].set(v, s.counts[i].get(v)! + ni.countMatching(ns, c.selector));
        });
      }
      state.write(PRE_SCORE_KEY, s);
      return undefined;
    },
    score(state, pod, ni) {
      const s = state.read<ScoreState>(PRE_SCORE_KEY);
      if (!s || s.ignored.has(ni.name)) return 0;
      let score = 0;
      const ns = podNamespace(pod);
      s.constraints.forEach((c, i) => {
        if (!Object.hasOwn(ni.labels, c.topologyKey)) return;
        const cnt =
          c.topologyKey === HOSTNAME_KEY
            ? ni.countMatching(ns, c.selector)
            : (s.counts[i].get(ni.labels[c.topologyKey]) ?? 0);
        score += cnt * s.weights[i] + (c.maxSkew - 1);
      });
      return Math.round(score);
    },
    normalizeScore(state, _pod, scores) {
      const s = state.read<ScoreState>(PRE_SCORE_KEY);
      if (!s) return undefined;
      let min = Number.POSITIVE_INFINITY;
      let max = 0;
      for (const x of scores) {
        if (s.ignored.has(x.name)) continue;
        if (x.score < min) min = x.score;
        if (x.score > max) max = x.score;
      }
      for (const x of scores) {
        if (s.ignored.has(x.name)) x.score = 0;
        else if (max === 0) x.score = MAX_NODE_SCORE;
        else x.score = Math.trunc((MAX_NODE_SCORE * (max + min - x.score)) / max);
      }
      return undefined;
    },
    events: () => [
      {
        event: event(
          EventResource.AssignedPod,
          ActionType.Add | ActionType.Delete | ActionType.UpdatePodLabel,
          'AssignedPodChange',
        ),
      },
      {
        event: event(
          EventResource.Node,
          ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint,
          'NodeChange',
        ),
      },
    ],
  };
}
