// ImageLocality: prefer nodes that already hold the pod's images, weighted by image size and by
// how widely the image is spread (an image on every node says little about this one).
import type { NodeInfo } from '../../cache/node-info.ts';
import type { Snapshot } from '../../cache/snapshot.ts';
import { MAX_NODE_SCORE, type ScorePlugin } from '../../framework/interface.ts';
import type { Pod } from '../../types.ts';

export const NAME = 'ImageLocality';
const MB = 1024 * 1024;
/** Below this total, image locality does not matter (upstream's 23 MB). */
export const MIN_THRESHOLD = 23 * MB;
/** Per container, beyond this the score saturates (upstream's 1000 MB). */
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const DEFAULT_TAG = 'latest';

/** `busybox` → `busybox:latest`; names with a tag or digest are kept. */
export function normalizedImageName(name: string): string {
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) return `${name}:${DEFAULT_TAG}`;
  return name;
}

/** Normalized image names per pod object, so Score does not redo the string work per node. */
const podImages = new WeakMap<Pod, readonly string[]>();

function imagesOf(pod: Pod): readonly string[] {
  let names = podImages.get(pod);
  if (names === undefined) {
    names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
      .map((c) => c.image)
      .filter((image): image is string => !!image)
      .map(normalizedImageName);
    podImages.set(pod, names);
  }
  return names;
}

export function sumImageScores(pod: Pod, ni: NodeInfo, snapshot: Snapshot, totalNodes: number): number {
  let sum = 0;
  for (const name of imagesOf(pod)) {
    // An image no node holds scores nothing anywhere: skip the per-node lookup.
    if (snapshot.imageNumNodes(name) === 0) continue;
    const size = ni.imageSizes.get(name);
    if (size === undefined) continue;
    sum += Math.trunc(size * (snapshot.imageNumNodes(name) / totalNodes));
  }
  return sum;
}

export function imageScore(sum: number, numContainers: number): number {
  const max = MAX_CONTAINER_THRESHOLD * numContainers;
  const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
  return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
}

export const newImageLocality = (snapshot: Snapshot): ScorePlugin => ({
  name: NAME,
  score(_s, pod, ni) {
    const total = snapshot.list().length;
    const n = (pod.spec?.initContainers?.length ?? 0) + (pod.spec?.containers?.length ?? 0);
    return imageScore(sumImageScores(pod, ni, snapshot, total), n);
  },
});
