// Matching parsed pod (anti-)affinity terms against pods, and topology-pair counters.
import { NOTHING } from '../../../api/selectors/index.ts';
import { termSelectsPod } from '../../cache/affinity-counts.ts';
import type { AffinityTerm } from '../../cache/pod-info.ts';
import type { Snapshot } from '../../cache/snapshot.ts';
import type { Pod } from '../../types.ts';
import { podNamespace } from '../../types.ts';

/**
 * Does `pod` fall under the term: its namespace selected, its labels matched? `nsLabels` (the
 * pod's namespace labels) is only read for terms with a namespaceSelector; see needsNsLabels.
 */
export const termMatchesPod = termSelectsPod;

/**
 * Whether any term reads namespace labels. When none does, callers pass `undefined` instead of
 * looking the labels up per pod: a NOTHING namespaceSelector rejects either way.
 */
export const needsNsLabels = (terms: readonly AffinityTerm[]): boolean =>
  terms.some((t) => t.namespaceSelector !== NOTHING);

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

/**
 * `key=value` counts, nested by topology key so lookups build no strings. Zero entries are deleted
 * and `size` counts the non-zero pairs, so `size > 0` means "some pod matched somewhere".
 */
export class TopologyCounts {
  readonly #byKey = new Map<string, Map<string, number>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(key: string, value: string): number {
    return this.#byKey.get(key)?.get(value) ?? 0;
  }

  add(key: string, value: string, n: number): void {
    let values = this.#byKey.get(key);
    if (!values) {
      values = new Map();
      this.#byKey.set(key, values);
    }
    const before = values.get(value) ?? 0;
    const v = before + n;
    if (v === 0) values.delete(value);
    else values.set(value, v);
    if (before === 0 && v !== 0) this.#size++;
    else if (before !== 0 && v === 0) this.#size--;
  }

  /** For every term, count the node's topology pair (nodes without the key are skipped). */
  addTerms(terms: readonly AffinityTerm[], nodeLabels: Record<string, string>, n: number): void {
    for (const t of terms)
      if (Object.hasOwn(nodeLabels, t.topologyKey)) this.add(t.topologyKey, nodeLabels[t.topologyKey], n);
  }

  pairs(): Iterable<[string, ReadonlyMap<string, number>]> {
    return this.#byKey;
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, values] of this.#byKey) c.#byKey.set(k, new Map(values));
    c.#size = this.#size;
    return c;
  }
}

/**
 * Counts PreFilter reads through: read-only layers (the cache's live per-domain counters, which
 * hold still during the synchronous cycle) plus `own`, which this cycle's nominated pods and
 * preemption victims change. Invariant: get(k, v) = own.get(k, v) + Σ layer(k).get(v), so a
 * clone shares the layers and copies only `own`.
 */
export class LayeredCounts {
  readonly #layers = new Map<string, ReadonlyMap<string, number>[]>();
  readonly own: TopologyCounts;

  constructor(own = new TopologyCounts()) {
    this.own = own;
  }

  addLayer(topologyKey: string, counts: ReadonlyMap<string, number>): void {
    const list = this.#layers.get(topologyKey);
    if (list) list.push(counts);
    else this.#layers.set(topologyKey, [counts]);
  }

  get(key: string, value: string): number {
    let n = this.own.get(key, value);
    const list = this.#layers.get(key);
    if (list) for (const m of list) n += m.get(value) ?? 0;
    return n;
  }

  add(key: string, value: string, n: number): void {
    this.own.add(key, value, n);
  }

  /** Whether some pair has a non-zero count (layers hold no zero entries). */
  anyNonZero(): boolean {
    if (this.own.size === 0) {
      for (const list of this.#layers.values()) for (const m of list) if (m.size > 0) return true;
      return false;
    }
    for (const [key, values] of this.own.pairs())
      for (const v of values.keys()) if (this.get(key, v) !== 0) return true;
    for (const [key, list] of this.#layers)
      for (const m of list) for (const v of m.keys()) if (this.get(key, v) !== 0) return true;
    return false;
  }

  /** Whether any of the node's `key=value` labels has a positive count. */
  anyLabel(nodeLabels: Record<string, string>): boolean {
    for (const key in nodeLabels) if (this.get(key, nodeLabels[key]) > 0) return true;
    return false;
  }

  clone(): LayeredCounts {
    const c = new LayeredCounts(this.own.clone());
    for (const [k, list] of this.#layers) c.#layers.set(k, [...list]);
    return c;
  }
}
