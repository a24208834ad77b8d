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

/**
 * Per hard constraint, the matching-pod count of each domain and the least of them. Invariant:
 * count(i, v) = base[i](v) + delta[i](v) and min[i] is the least count over the domains of both
 * maps. `base` is what PreFilter found and is never written here (it may be the cache's live
 * counter, which holds still for the synchronous cycle); `delta` holds pods that nominated-pod
 * filtering and preemption add or remove, so cloning copies only the (usually empty) deltas.
 */
class FilterState implements StateData {
  readonly constraints: Constraint[];
  /** Per constraint: 1 when the incoming pod matches its own selector (it adds to its domain). */
  readonly selfMatch: number[];
  readonly #base: readonly ReadonlyMap<string, number>[];
  readonly #delta: Map<string, number>[];
  readonly #min: number[];
  readonly #pod: Pod;

  constructor(
    pod: Pod,
    constraints: Constraint[],
    base: readonly ReadonlyMap<string, number>[],
    min: number[],
    delta?: Map<string, number>[],
  ) {
    this.constraints = constraints;
    this.selfMatch = constraints.map((c) => (matchesLabels(c.selector, podLabels(pod)) ? 1 : 0));
    this.#base = base;
    this.#min = min;
    this.#delta = delta ?? constraints.map(() => new Map());
    this.#pod = pod;
  }

  count(i: number, domain: string): number {
    return (this.#base[i].get(domain) ?? 0) + (this.#delta[i].get(domain) ?? 0);
  }

  minMatch(i: number): number {
    return this.#min[i];
  }

  update(pod: Pod, other: PodInfo, ni: NodeInfo, n: number): void {
    if (podNamespace(other.pod) !== podNamespace(pod)) return;
    if (!hasAllKeys(this.constraints, ni.node)) return;
    const labels = ni.labels;
    this.constraints.forEach((c, i) => {
      if (!nodeIncluded(c, pod, ni.node)) return;
      if (!matchesLabels(c.selector, podLabels(other.pod))) return;
      const v = labels[c.topologyKey];
      this.#delta[i].set(v, (this.#delta[i].get(v) ?? 0) + n);
      this.#min[i] = minOver(this.#base[i], this.#delta[i], c.minDomains);
    });
  }

  clone(): StateData {
    return new FilterState(
      this.#pod,
      this.constraints,
      this.#base,
      [...this.#min],
      this.#delta.map((m) => new Map(m)),
    );
  }
}

/** The least count over the domains of base ∪ delta; 0 when fewer than minDomains domains exist. */
function minOver(
  base: ReadonlyMap<string, number>,
  delta: ReadonlyMap<string, number>,
  minDomains: number,
): number {
  let domains = base.size;
  for (const v of delta.keys()) if (!base.has(v)) domains++;
  if (domains < minDomains) return 0;
  let min = Number.POSITIVE_INFINITY;
  for (const [v, n] of base) {
    const c = n + (delta.get(v) ?? 0);
    if (c < min) min = c;
  }
  for (const [v, n] of delta) if (!base.has(v) && n < min) min = n;
  return min === Number.POSITIVE_INFINITY ? 0 : min;
}

const NO_DELTA: ReadonlyMap<string, number> = new Map();
const REJECT_MISSING_LABEL = newStatus(Code.UnschedulableAndUnresolvable, REASON_MISSING_LABEL);
const REJECT_CONSTRAINTS = newStatus(Code.Unschedulable, REASON_CONSTRAINTS);

/**
 * Whether every node counts toward the constraint's domains, so the cache's per-domain counter
 * (which sees all nodes) gives the same counts as the per-node walk.
 */
function everyNodeIncluded(c: Constraint, pod: Pod): boolean {
  if (c.honorNodeTaints) return false;
  if (!c.honorNodeAffinity) return true;
  return (
    pod.spec?.nodeSelector == null &&
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution == null
  );
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
      const ns = podNamespace(pod);
      // One constraint over all nodes: the cache keeps exactly these counts incrementally. With
      // several, a node counts only when it has every key, so walk the nodes.
      if (hard.length === 1 && everyNodeIncluded(hard[0], pod)) {
        const dc = snapshot.domainCounts(ns, hard[0].topologyKey, hard[0].selector);
        const min = dc.counts.size < hard[0].minDomains ? 0 : dc.min;
        state.write(PRE_FILTER_KEY, new FilterState(pod, hard, [dc.counts], [min]));
        return undefined;
      }
      const counts = hard.map(() => new Map<string, number>());
      for (const ni of nodes) {
        if (!hasAllKeys(hard, ni.node)) continue;
        hard.forEach((c, i) => {
          if (!nodeIncluded(c, pod, ni.node)) return;
          const v = ni.labels[c.topologyKey];
          counts[i].set(v, (counts[i].get(v) ?? 0) + ni.countMatching(ns, c.selector));
        });
      }
      const mins = hard.map((c, i) => minOver(counts[i], NO_DELTA, c.minDomains));
      state.write(PRE_FILTER_KEY, new FilterState(pod, hard, counts, mins));
      return undefined;
    },
    preFilterExtensions: () => ext,
    filter(state, _pod, ni): Status | undefined {
      const s = state.read<FilterState>(PRE_FILTER_KEY);
      if (!s) return newStatus(Code.Error, `reading "${PRE_FILTER_KEY}" from cycleState: not found`);
      const labels = ni.labels;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        if (!Object.hasOwn(labels, c.topologyKey)) return REJECT_MISSING_LABEL;
        const skew = s.count(i, labels[c.topologyKey]) + s.selfMatch[i] - s.minMatch(i);
        if (skew > c.maxSkew) return REJECT_CONSTRAINTS;
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
