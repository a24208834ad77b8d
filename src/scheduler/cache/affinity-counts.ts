// Per-topology-domain pod counts for InterPodAffinity, kept up to date as pods come and go, so its
// PreFilter reads them instead of walking every pod each cycle (upstream builds the same counts
// per cycle from HavePodsWithRequiredAntiAffinityList and all nodes' pods).
import { matchesLabels } from '../../api/selectors/index.ts';
import { type Pod, podLabels, podNamespace } from '../types.ts';
import type { NodeInfo } from './node-info.ts';
import type { AffinityTerm, PodInfo } from './pod-info.ts';

/** Namespace labels by namespace name (undefined when the namespace is unknown). */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/** Does the term select `pod`: its namespace listed or matched by the namespaceSelector, its labels matched? */
export function termSelectsPod(
  term: AffinityTerm,
  pod: Pod,
  nsLabels: Record<string, string> | undefined,
): boolean {
  const ns = podNamespace(pod);
  if (!term.namespaces.has(ns) && !(nsLabels && matchesLabels(term.namespaceSelector, nsLabels)))
    return false;
  return matchesLabels(term.selector, podLabels(pod));
}

const termKeys = new WeakMap<AffinityTerm, string>();

/** Equal keys for terms that select the same pods over the same topology key (memoized per term object). */
export function affinityTermKey(t: AffinityTerm): string {
  let k = termKeys.get(t);
  if (k === undefined) {
    k = JSON.stringify([t.topologyKey, [...t.namespaces].sort(), t.namespaceSelector, t.selector]);
    termKeys.set(t, k);
  }
  return k;
}

function bump(counts: Map<string, number>, value: string, n: number): void {
  const v = (counts.get(value) ?? 0) + n;
  if (v === 0) counts.delete(value);
  else counts.set(value, v);
}

/**
 * Invariant: `counts.get(v)` is the number of pods on the nodes it was built from, on nodes with
 * `term.topologyKey=v`, that the term selects (zero entries deleted). Assumed and terminating
 * pods count, as in the per-cycle walk. The cache drops the counter when nodes, node labels or
 * namespace labels change.
 */
export class TermCounts {
  readonly term: AffinityTerm;
  readonly #counts = new Map<string, number>();
  readonly #nsLabels: NamespaceLabels;

  constructor(term: AffinityTerm, nodes: readonly NodeInfo[], nsLabels: NamespaceLabels) {
    this.term = term;
    this.#nsLabels = nsLabels;
    for (const ni of nodes) for (const pi of ni.pods) this.podChanged(pi.pod, ni.labels, 1);
  }

  get counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  podChanged(pod: Pod, nodeLabels: Record<string, string>, sign: 1 | -1): void {
    const key = this.term.topologyKey;
    if (!Object.hasOwn(nodeLabels, key)) return;
    if (!termSelectsPod(this.term, pod, this.#nsLabels(podNamespace(pod)))) return;
    bump(this.#counts, nodeLabels[key], sign);
  }
}

/** A term a placed pod carries, with the weight it scores with (required terms: see `required`). */
export interface CarriedTerm {
  readonly term: AffinityTerm;
  /** Preferred terms' weight (negative for anti-affinity); 0 for required terms. */
  readonly weight: number;
  readonly required: boolean;
}

/** One distinct carried term and, per value of its topology key, how many placed pods carry it. */
export interface TermGroup extends CarriedTerm {
  readonly counts: ReadonlyMap<string, number>;
}

const NO_TERMS: readonly CarriedTerm[] = Object.freeze([]);

/** Existing pods' required anti-affinity terms (what InterPodAffinity's Filter honours). */
export function requiredAntiAffinityOf(pi: PodInfo): readonly CarriedTerm[] {
  if (pi.requiredAntiAffinityTerms.length === 0) return NO_TERMS;
  return pi.requiredAntiAffinityTerms.map((term) => ({ term, weight: 0, required: true }));
}

/** Existing pods' terms that score an incoming pod: required affinity, preferred (anti-)affinity. */
export function scoringTermsOf(pi: PodInfo): readonly CarriedTerm[] {
  if (
    pi.requiredAffinityTerms.length === 0 &&
    pi.preferredAffinityTerms.length === 0 &&
    pi.preferredAntiAffinityTerms.length === 0
  )
    return NO_TERMS;
  return [
    ...pi.requiredAffinityTerms.map((term) => ({ term, weight: 0, required: true })),
    ...pi.preferredAffinityTerms.map((w) => ({ term: w.term, weight: w.weight, required: false })),
    ...pi.preferredAntiAffinityTerms.map((w) => ({ term: w.term, weight: -w.weight, required: false })),
  ];
}

/**
 * Terms carried by placed pods, grouped by identical (term, weight, required). Invariant: for each
 * group, `counts.get(v)` is how many times the term appears among the pods on the nodes it was
 * built from with `term.topologyKey=v` (zero entries and empty groups deleted). `termsOf` picks
 * which of a pod's terms are kept; a pod carrying none costs nothing.
 */
export class PlacedTermCounts {
  readonly #termsOf: (pi: PodInfo) => readonly CarriedTerm[];
  readonly #groups = new Map<string, CarriedTerm & { counts: Map<string, number> }>();

  constructor(nodes: readonly NodeInfo[], termsOf: (pi: PodInfo) => readonly CarriedTerm[]) {
    this.#termsOf = termsOf;
    for (const ni of nodes) for (const pi of ni.podsWithAffinity) this.podChanged(pi, ni.labels, 1);
  }

  groups(): Iterable<TermGroup> {
    return this.#groups.values();
  }

  podChanged(pi: PodInfo, nodeLabels: Record<string, string>, sign: 1 | -1): void {
    for (const c of this.#termsOf(pi)) {
      const t = c.term;
      if (!Object.hasOwn(nodeLabels, t.topologyKey)) continue;
      const key = `${c.required}\u0000${c.weight}\u0000${affinityTermKey(t)}`;
      let g = this.#groups.get(key);
      if (!g) {
        g = { ...c, counts: new Map() };
        this.#groups.set(key, g);
      }
      bump(g.counts, nodeLabels[t.topologyKey], sign);
      if (g.counts.size === 0) this.#groups.delete(key);
    }
  }
}
