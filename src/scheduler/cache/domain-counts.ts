// Matching-pod counts per topology domain, kept up to date as pods come and go, so
// PodTopologySpread's PreFilter reads them instead of walking every node and pod each cycle
// (upstream's TpPairToMatchNum and critical-path minimum, made incremental).
import { type LabelSelector, matchesLabels } from '../../api/selectors/index.ts';
import { isTerminating, type Pod, podLabels, podNamespace } from '../types.ts';
import type { NodeInfo } from './node-info.ts';

/** Identifies one counter: the namespace, the node label key, the parsed selector. */
export function domainCountsKey(namespace: string, topologyKey: string, selector: LabelSelector): string {
  return `${namespace}\u0000${topologyKey}\u0000${JSON.stringify(selector)}`;
}

/**
 * Invariant: for every value `v` of `topologyKey` on at least one node of the set it was built
 * from, `counts.get(v)` is the number of non-terminating pods in `namespace` whose labels match
 * `selector` on nodes with `topologyKey=v` (NodeInfo.countMatching summed per domain), and
 * `#histogram` maps each count to how many domains have it, so `min` is the least count. Nodes
 * without the key add no domain. The node set itself is fixed: the cache drops the counter
 * when nodes or their labels change.
 */
export class DomainCounts {
  readonly namespace: string;
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  readonly #counts = new Map<string, number>();
  readonly #histogram = new Map<number, number>();
  #min = 0;

  constructor(namespace: string, topologyKey: string, selector: LabelSelector, nodes: readonly NodeInfo[]) {
    this.namespace = namespace;
    this.topologyKey = topologyKey;
    this.selector = selector;
    for (const ni of nodes) {
      const labels = ni.labels;
      if (!Object.hasOwn(labels, topologyKey)) continue;
      const v = labels[topologyKey];
      this.#counts.set(v, (this.#counts.get(v) ?? 0) + ni.countMatching(namespace, selector));
    }
    for (const n of this.#counts.values()) this.#histogram.set(n, (this.#histogram.get(n) ?? 0) + 1);
    this.#min = this.#counts.size === 0 ? 0 : Math.min(...this.#histogram.keys());
  }

  /** Domain value → matching pods; read-only for callers. */
  get counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  /** The least count over all domains (0 when there are none). */
  get min(): number {
    return this.#min;
  }

  /** Whether the pod is one this counter counts. */
  matches(p: Pod): boolean {
    return (
      !isTerminating(p) && podNamespace(p) === this.namespace && matchesLabels(this.selector, podLabels(p))
    );
  }

  /** A pod was placed on (sign 1) or removed from (sign −1) a node of the set. */
  podChanged(pod: Pod, nodeLabels: Record<string, string>, sign: 1 | -1): void {
    if (!Object.hasOwn(nodeLabels, this.topologyKey) || !this.matches(pod)) return;
    const v = nodeLabels[this.topologyKey];
    const before = this.#counts.get(v);
    if (before === undefined) return;
    const after = before + sign;
    this.#counts.set(v, after);
    const left = (this.#histogram.get(before) ?? 0) - 1;
    if (left > 0) this.#histogram.set(before, left);
    else this.#histogram.delete(before);
    this.#histogram.set(after, (this.#histogram.get(after) ?? 0) + 1);
    // Counts move by one, so the minimum moves by at most one.
    if (after < this.#min) this.#min = after;
    else if (before === this.#min && left === 0) this.#min = after;
  }
}
