// InterPodAffinity: required pod affinity (the node's topology domain must already hold a
// matching pod), required anti-affinity both ways (ours and existing pods'), and preferred terms
// scored per topology domain.
import type { NodeInfo } from '../../cache/node-info.ts';
import { type AffinityTerm, newPodInfo, type PodInfo } from '../../cache/pod-info.ts';
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
import {
  LayeredCounts,
  matchesAllTerms,
  needsNsLabels,
  nsLabelsOf,
  termMatchesPod,
} from './affinity-terms.ts';

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

/**
 * Upstream's three topology-pair counts for one incoming pod: existing pods' anti-affinity terms
 * that select it, and pods its own affinity / anti-affinity terms select. Each is the cache's
 * live counters (layers) plus what nominated pods and preemption victims change (own).
 */
class FilterState implements StateData {
  readonly podInfo: PodInfo;
  readonly nsLabels: Record<string, string> | undefined;
  existingAntiAffinity = new LayeredCounts();
  affinity = new LayeredCounts();
  antiAffinity = new LayeredCounts();

  constructor(pi: PodInfo, nsLabels: Record<string, string> | undefined) {
    this.podInfo = pi;
    this.nsLabels = nsLabels;
  }

  /** Account for `other` on `node` (±1): preemption and nominated pods use this. */
  update(other: PodInfo, node: Node, n: number, snapshot: Snapshot): void {
    const labels = node.metadata?.labels ?? {};
    this.countExisting(other, labels, n);
    this.countIncoming(other, labels, n, nsLabelsOf(snapshot, other.pod));
  }

  /** `other`'s required anti-affinity terms that select the incoming pod, on its node's pairs. */
  countExisting(other: PodInfo, nodeLabels: Record<string, string>, n: number): void {
    const incoming = this.podInfo.pod;
    for (const t of other.requiredAntiAffinityTerms)
      if (termMatchesPod(t, incoming, this.nsLabels) && Object.hasOwn(nodeLabels, t.topologyKey))
        this.existingAntiAffinity.add(t.topologyKey, nodeLabels[t.topologyKey], n);
  }

  /** The incoming pod's required terms that select `other`, on `other`'s node's pairs. */
  countIncoming(
    other: PodInfo,
    nodeLabels: Record<string, string>,
    n: number,
    otherNs: Record<string, string> | undefined,
  ): void {
    const { requiredAffinityTerms, requiredAntiAffinityTerms } = this.podInfo;
    if (matchesAllTerms(requiredAffinityTerms, other.pod, otherNs))
      this.affinity.own.addTerms(requiredAffinityTerms, nodeLabels, n);
    for (const t of requiredAntiAffinityTerms)
      if (termMatchesPod(t, other.pod, otherNs) && Object.hasOwn(nodeLabels, t.topologyKey))
        this.antiAffinity.add(t.topologyKey, nodeLabels[t.topologyKey], n);
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
    !s.affinity.anyNonZero() && matchesAllTerms(s.podInfo.requiredAffinityTerms, s.podInfo.pod, s.nsLabels)
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
  return !s.existingAntiAffinity.anyLabel(node.metadata?.labels ?? {});
}

type NsLabels = Record<string, string> | undefined;
type NodeLabels = Record<string, string>;

/** `Object.keys(o).length > 0` without building the array. */
function hasAnyKey(o: Record<string, string>): boolean {
  for (const _ in o) return true;
  return false;
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
      if (
        pi.requiredAffinityTerms.length === 0 &&
        pi.requiredAntiAffinityTerms.length === 0 &&
        !snapshot.hasPodsWithRequiredAntiAffinity()
      )
        return { status: newStatus(Code.Skip) };
      const s = new FilterState(pi, nsLabelsOf(snapshot, pod));
      // The cache keeps upstream's per-cycle counts incrementally: existing pods' anti-affinity
      // grouped by distinct term (one match against this pod per group), and per-term counts of
      // the pods a term selects.
      for (const g of snapshot.existingAntiAffinityTerms())
        if (termMatchesPod(g.term, pod, s.nsLabels))
          s.existingAntiAffinity.addLayer(g.term.topologyKey, g.counts);
      for (const t of pi.requiredAntiAffinityTerms)
        s.antiAffinity.addLayer(t.topologyKey, snapshot.termCounts(t));
      const affinityTerms = pi.requiredAffinityTerms;
      if (affinityTerms.length === 1)
        s.affinity.addLayer(affinityTerms[0].topologyKey, snapshot.termCounts(affinityTerms[0]));
      else if (affinityTerms.length > 1) {
        // A pod counts only if it matches every term: not per-term counters, so walk the pods.
        const wantNs = needsNsLabels(affinityTerms);
        for (const ni of nodes) {
          const labels = ni.labels;
          for (const other of ni.pods) {
            const otherNs = wantNs ? nsLabelsOf(snapshot, other.pod) : undefined;
            if (matchesAllTerms(affinityTerms, other.pod, otherNs))
              s.affinity.own.addTerms(affinityTerms, labels, 1);
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
      if (hasPreferred) {
        // The incoming pod's preferred terms against every placed pod.
        const wantNs =
          needsNsLabels(pi.preferredAffinityTerms.map((w) => w.term)) ||
          needsNsLabels(pi.preferredAntiAffinityTerms.map((w) => w.term));
        const term = (t: AffinityTerm, w: number, other: Pod, otherNs: NsLabels, labels: NodeLabels) => {
          if (Object.hasOwn(labels, t.topologyKey) && termMatchesPod(t, other, otherNs))
            s.add(t.topologyKey, labels[t.topologyKey], w);
        };
        for (const ni of snapshot.list()) {
          const labels = ni.labels;
          if (!hasAnyKey(labels)) continue;
          for (const other of ni.pods) {
            const otherNs = wantNs ? nsLabelsOf(snapshot, other.pod) : undefined;
            for (const w of pi.preferredAffinityTerms) term(w.term, w.weight, other.pod, otherNs, labels);
            for (const w of pi.preferredAntiAffinityTerms)
              term(w.term, -w.weight, other.pod, otherNs, labels);
          }
        }
      }
      // Placed pods' terms that score this pod, grouped by the cache: one match per distinct
      // term, weighted by how many pods carry it in each domain.
      for (const g of snapshot.existingScoringTerms()) {
        if (g.required && hardWeight <= 0) continue;
        if (!termMatchesPod(g.term, pod, nsLabels)) continue;
        const w = g.required ? hardWeight : g.weight;
        for (const [value, n] of g.counts) s.add(g.term.topologyKey, value, w * n);
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
