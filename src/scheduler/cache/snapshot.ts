// The read side of the cache that plugins see. The scheduling cycle runs synchronously from pop
// to assume, so the live cache *is* a consistent snapshot for that span: no copy per pod.
import type { NodeInfo } from './node-info.ts';

export interface Snapshot {
  /** Nodes in a stable order (insertion), the order sampling walks. */
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes with at least one pod carrying any (anti-)affinity term. */
  havePodsWithAffinity(): readonly NodeInfo[];
  /** Nodes with at least one pod carrying a required anti-affinity term. */
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[];
  /** How many nodes hold the image (ImageLocality's spread factor). */
  imageNumNodes(image: string): number;
  /** Labels of a namespace, for namespaceSelector in affinity terms; undefined when unknown. */
  namespaceLabels(namespace: string): Record<string, string> | undefined;
}
