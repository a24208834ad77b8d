// The read side of the cache that plugins see. The scheduling cycle runs synchronously from pop
// to assume, so the live cache *is* a consistent snapshot for that span: no copy per pod.
import type { LabelSelector } from '../../api/selectors/index.ts';
import type { TermGroup } from './affinity-counts.ts';
import type { DomainCounts } from './domain-counts.ts';
import type { NodeInfo } from './node-info.ts';
import type { AffinityTerm } from './pod-info.ts';

export interface Snapshot {
  /** Nodes in a stable order (insertion), the order sampling walks. */
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes with at least one pod carrying any (anti-)affinity term. */
  havePodsWithAffinity(): readonly NodeInfo[];
  /** Nodes with at least one pod carrying a required anti-affinity term. */
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[];
  /** havePodsWithRequiredAntiAffinity().length > 0, without building the list. */
  hasPodsWithRequiredAntiAffinity(): boolean;
  /**
   * Matching pods per value of `topologyKey` over every node (PodTopologySpread's counts when
   * every node is eligible), kept current as pods are placed and removed.
   */
  domainCounts(namespace: string, topologyKey: string, selector: LabelSelector): DomainCounts;
  /**
   * Per value of the term's topology key, the pods the term selects over every node (what
   * InterPodAffinity counts for an incoming pod's own term), kept current.
   */
  termCounts(term: AffinityTerm): ReadonlyMap<string, number>;
  /** Placed pods' required anti-affinity terms, grouped, with per-domain counts; kept current. */
  existingAntiAffinityTerms(): Iterable<TermGroup>;
  /** Placed pods' required affinity and preferred (anti-)affinity terms, likewise. */
  existingScoringTerms(): Iterable<TermGroup>;
  /** How many nodes hold the image (ImageLocality's spread factor). */
  imageNumNodes(image: string): number;
  /** Labels of a namespace, for namespaceSelector in affinity terms; undefined when unknown. */
  namespaceLabels(namespace: string): Record<string, string> | undefined;
}
