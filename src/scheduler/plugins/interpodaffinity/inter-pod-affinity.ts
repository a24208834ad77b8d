// InterPodAffinity: required pod affinity (the node's topology domain must already hold a
// matching pod), required anti-affinity both ways (ours and existing pods'), and preferred terms
// scored per topology domain.
import type { NodeInfo } from '../../cache/node-info.ts';
import { newPodInfo, type PodInfo } from '../../cache/pod-info.ts';
import type { Snapshot } from '../../cache/snapshot.ts';
import type { CycleState, StateData } from '../../framework/cycle-state.ts';
import { ActionType, ALL_ACTIONS, EventResource, event } from '../../framework/events.ts';
import {
  type EnqueueExtensions,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../../framework/interface.ts';
import { Code, newStatus, type Status } from '../../framework/status.ts';
import type { Node, Pod } from '../../types.ts';
import { matchesAllTerms, nsLabelsOf, TopologyCounts, termMatchesPod } from './affinity-terms.ts';

export const NAME = 'InterPodAffinity';
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;
/** Weight of an existing pod's *required* affinity toward the incoming pod when scoring (upstream default 1). */
export const DEFAULT_HARD_POD_AFFINITY_WEIGHT = 1;

export interface InterPodAffinityArgs {
  hardPodAffinityWeight?: number;
  ignorePreferredTermsOfExistingPods?: boolean;
}

class FilterState implements StateData {
  readonly podInfo: PodInfo;
  readonly nsLabels: Record<string, string> | undefined;
  existingAntiAffinity: TopologyCounts;
  affinity: TopologyCounts;
  antiAffinity: TopologyCounts;

  constructor(pi: PodInfo, nsLabels: Record<string, string> | undefined) {
    this.podInfo = pi;
    this.nsLabels = nsLabels;
    this.existingAntiAffinity = new TopologyCounts();
    this.affinity = new TopologyCounts();
    this.antiAffinity = new TopologyCounts();
  }

  /** Account for `other` on `node` (±1): preemption and nominated pods use this. */
  update(other: PodInfo, node: Node, n: number, snapshot: Snapshot): void {
    const incoming = this.podInfo.pod;
    const matchingAnti = other.requiredAntiAffinityTerms.filter((t) =>
      termMatchesPod(t, incoming, this.nsLabels),
    );
    this.existingAntiAffinity.addTerms(matchingAnti, node, n);
    const otherNs = nsLabelsOf(snapshot, other.pod);
    if (matchesAllTerms(this.podInfo.requiredAffinityTerms, other.pod, otherNs))
      this.affinity.addTerms(this.podInfo.requiredAffinityTerms, node, n);
    const anti = this.podInfo.requiredAntiAffinityTerms.filter((t) => termMatchesPod(t, other.pod, otherNs));
    this.antiAffinity.addTerms(anti, node, n);
  }

  clone(): StateData {
    const c = new FilterState(this.podInfo, this.nsLabels);
    c.existingAntiAffinity = this.existingAntiAffinity.clone();
    c.affinity = this.affinity.clone();
    c.antiAffinity = this.antiAffinity.clone();
    return c;
  }
}

export function satisfiesPodAffinity(s: FilterState, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  let podsExist = true;
  for (const t of s.podInfo.requiredAffinityTerms) {
    if (!Object.hasOwn(labels, t.topologyKey)) return false;
    if (s.affinity.get(t.topologyKey, labels[t.topologyKey]) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group that is affine to itself must not wait forever: allow it when no
  // pod anywhere matches and it matches its own terms.
  return (
    s.affinity.map.size === 0 && matchesAllTerms(s.podInfo.requiredAffinityTerms, s.podInfo.pod, s.nsLabels)
  );
}

export function satisfiesPodAntiAffinity(s: FilterState, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const t of s.podInfo.requiredAntiAffinityTerms) {
    if (Object.hasOwn(labels, t.topologyKey) && s.antiAffinity.get(t.topologyKey, labels[t.topologyKey]) > 0)
      return false;
  }
  return true;
}

export function satisfiesExistingAntiAffinity(s: FilterState, node: Node): boolean {
  if (s.existingAntiAffinity.map.size === 0) return true;
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {}))
    if (s.existingAntiAffinity.get(k, v) > 0) return false;
  return true;
}

class ScoreState implements StateData {
  /** topologyKey → value → score. */
  readonly scores = new Map<string, Map<string, number>>();
  clone(): StateData {
    return this;
  }
  add(key: string, value: string, w: number): void {
    let m = this.scores.get(key);
    if (!m) {
      m = new Map();
      this.scores.set(key, m);
    }
    m.set(value, (m.get(value) ?? 0) + w);
  }
}

const REJECT_AFFINITY = newStatus(Code.UnschedulableAndUnresolvable, REASON_AFFINITY);
const REJECT_ANTI = newStatus(Code.Unschedulable, REASON_ANTI_AFFINITY);
const REJECT_EXISTING = newStatus(Code.Unschedulable, REASON_EXISTING_ANTI_AFFINITY);

export function newInterPodAffinity(
  rawArgs: unknown,
  snapshot: Snapshot,
): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin & EnqueueExtensions {
  const args = (rawArgs ?? {}) as InterPodAffinityArgs;
  const hardWeight = args.hardPodAffinityWeight ?? DEFAULT_HARD_POD_AFFINITY_WEIGHT;
  const ext = {
    addPod: (state: CycleState, _pod: Pod, pi: PodInfo, ni: NodeInfo) => {
      state.read<FilterState>(PRE_FILTER_KEY)?.update(pi, ni.node, 1, snapshot);
      return undefined;
    },
    removePod: (state: CycleState, _pod: Pod, pi: PodInfo, ni: NodeInfo) => {
      state.read<FilterState>(PRE_FILTER_KEY)?.update(pi, ni.node, -1, snapshot);
      return undefined;
    },
  };
  return {
    name: NAME,
    preFilter(state, pod, nodes) {
      const pi = newPodInfo(pod);
      const withAnti = snapshot.havePodsWithRequiredAntiAffinity();
      if (
        pi.requiredAffinityTerms.length === 0 &&
        pi.requiredAntiAffinityTerms.length === 0 &&
        withAnti.length === 0
      )
        return { status: newStatus(Code.Skip) };
      const s = new FilterState(pi, nsLabelsOf(snapshot, pod));
      for (const ni of withAnti) {
        for (const other of ni.podsWithRequiredAntiAffinity) {
          const matching = other.requiredAntiAffinityTerms.filter((t) => termMatchesPod(t, pod, s.nsLabels));
          s.existingAntiAffinity.addTerms(matching, ni.node, 1);
        }
      }
      if (pi.requiredAffinityTerms.length > 0 || pi.requiredAntiAffinityTerms.length > 0) {
        for (const ni of nodes) {
          for (const other of ni.pods) {
            const otherNs = nsLabelsOf(snapshot, other.pod);
            if (matchesAllTerms(pi.requiredAffinityTerms, other.pod, otherNs))
              s.affinity.addTerms(pi.requiredAffinityTerms, ni.node, 1);
            const anti = pi.requiredAntiAffinityTerms.filter((t) => termMatchesPod(t, other.pod, otherNs));
            s.antiAffinity.addTerms(anti, ni.node, 1);
          }
        }
      }
      state.write(PRE_FILTER_KEY, s);
      return undefined;
    },
    preFilterExtensions: () => ext,
    filter(state, _pod, ni): Status | undefined {
      const s = state.read<FilterState>(PRE_FILTER_KEY);
      if (!s) return newStatus(Code.Error, `reading "${PRE_FILTER_KEY}" from cycleState: not found`);
      if (!satisfiesPodAffinity(s, ni.node)) return REJECT_AFFINITY;
      if (!satisfiesPodAntiAffinity(s, ni.node)) return REJECT_ANTI;
      if (!satisfiesExistingAntiAffinity(s, ni.node)) return REJECT_EXISTING;
      return undefined;
    },
    preScore(state, pod) {
      const pi = newPodInfo(pod);
      const hasPreferred = pi.preferredAffinityTerms.length > 0 || pi.preferredAntiAffinityTerms.length > 0;
      if (args.ignorePreferredTermsOfExistingPods && !hasPreferred) return newStatus(Code.Skip);
      const nsLabels = nsLabelsOf(snapshot, pod);
      const s = new ScoreState();
      const term = (
        t: PodInfo['requiredAffinityTerms'][number],
        w: number,
        target: Pod,
        targetNs: Record<string, string> | undefined,
        node: Node,
      ) => {
        if (!termMatchesPod(t, target, targetNs)) return;
        const labels = node.metadata?.labels ?? {};
        if (Object.hasOwn(labels, t.topologyKey)) s.add(t.topologyKey, labels[t.topologyKey], w);
      };
      for (const ni of hasPreferred ? snapshot.list() : snapshot.havePodsWithAffinity()) {
        if (Object.keys(ni.labels).length === 0) continue;
        for (const other of hasPreferred ? ni.pods : ni.podsWithAffinity) {
          const otherNs = nsLabelsOf(snapshot, other.pod);
          for (const w of pi.preferredAffinityTerms) term(w.term, w.weight, other.pod, otherNs, ni.node);
          for (const w of pi.preferredAntiAffinityTerms) term(w.term, -w.weight, other.pod, otherNs, ni.node);
          if (hardWeight > 0)
            for (const t of other.requiredAffinityTerms) term(t, hardWeight, pod, nsLabels, ni.node);
          for (const w of other.preferredAffinityTerms) term(w.term, w.weight, pod, nsLabels, ni.node);
          for (const w of other.preferredAntiAffinityTerms) term(w.term, -w.weight, pod, nsLabels, ni.node);
        }
      }
      if (s.scores.size === 0) return newStatus(Code.Skip);
      state.write(PRE_SCORE_KEY, s);
      return undefined;
    },
    score(state, _pod, ni) {
      const s = state.read<ScoreState>(PRE_SCORE_KEY);
      if (!s) return 0;
      let score = 0;
      const labels = ni.labels;
      for (const [key, values] of s.scores)
        if (Object.hasOwn(labels, key)) score += values.get(labels[key]) ?? 0;
      return score;
    },
    normalizeScore(_s, _p, scores) {
      if (scores.length === 0) return undefined;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const s of scores) {
        if (s.score > max) max = s.score;
        if (s.score < min) min = s.score;
      }
      const diff = max - min;
      for (const s of scores) s.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((s.score - min) / diff)) : 0;
      return undefined;
    },
    events: () => [
      { event: event(EventResource.AssignedPod, ALL_ACTIONS, 'AssignedPodChange') },
      { event: event(EventResource.Node, ActionType.Add | ActionType.UpdateNodeLabel, 'NodeLabelChange') },
    ],
  };
}
