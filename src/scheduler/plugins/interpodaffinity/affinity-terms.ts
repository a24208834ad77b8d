// Matching parsed pod (anti-)affinity terms against pods, and topology-pair counters.
import { matchesLabels } from '../../../api/selectors/index.ts';
import type { AffinityTerm } from '../../cache/pod-info.ts';
import type { Snapshot } from '../../cache/snapshot.ts';
import type { Node, Pod } from '../../types.ts';
import { podLabels, podNamespace } from '../../types.ts';

/** Does `pod` fall under the term: its namespace selected, its labels matched? */
export function termMatchesPod(
  term: AffinityTerm,
  pod: Pod,
  nsLabels: Record<string, string> | undefined,
): boolean {
  const ns = podNamespace(pod);
  if (!term.namespaces.has(ns) && !(nsLabels && matchesLabels(term.namespaceSelector, nsLabels)))
    return false;
  return matchesLabels(term.selector, podLabels(pod));
}

export const nsLabelsOf = (snapshot: Snapshot, pod: Pod): Record<string, string> | undefined =>
  snapshot.namespaceLabels(podNamespace(pod));

/** A pod satisfies affinity only when it matches every term (upstream's podMatchesAllAffinityTerms). */
export function matchesAllTerms(
  terms: readonly AffinityTerm[],
  pod: Pod,
  nsLabels: Record<string, string> | undefined,
): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatchesPod(t, pod, nsLabels)) return false;
  return true;
}

/** `key=value` counts; zero entries are deleted so `size` means "some pod matched somewhere". */
export class TopologyCounts {
  readonly map = new Map<string, number>();

  static pair(key: string, value: string): string {
    return `${key}\u0000${value}`;
  }

  get(key: string, value: string): number {
    return this.map.get(TopologyCounts.pair(key, value)) ?? 0;
  }

  add(key: string, value: string, n: number): void {
    const p = TopologyCounts.pair(key, value);
    const v = (this.map.get(p) ?? 0) + n;
    if (v === 0) this.map.delete(p);
    else this.map.set(p, v);
  }

  /** For every term, count the node's topology pair. */
  addTerms(terms: readonly AffinityTerm[], node: Node, n: number): void {
    const labels = node.metadata?.labels ?? {};
    for (const t of terms)
      if (Object.hasOwn(labels, t.topologyKey)) this.add(t.topologyKey, labels[t.topologyKey], n);
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, v] of this.map) c.map.set(k, v);
    return c;
  }
}
