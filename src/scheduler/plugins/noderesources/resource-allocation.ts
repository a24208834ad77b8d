// The shared scorer of NodeResourcesFit and NodeResourcesBalancedAllocation: for each configured
// resource, (allocatable, requested-after-placing-the-pod); resources the node lacks are skipped.
import type { NodeInfo } from '../../cache/node-info.ts';
import { CPU, EPHEMERAL_STORAGE, MEMORY, type Resource } from '../../cache/resources.ts';

export interface ResourceSpec {
  name: string;
  weight: number;
}

/** Upstream's default scoring resources. */
export const DEFAULT_RESOURCES: readonly ResourceSpec[] = [
  { name: CPU, weight: 1 },
  { name: MEMORY, weight: 1 },
];

export function requestOf(r: Resource, name: string): number {
  if (name === CPU) return r.milliCPU;
  if (name === MEMORY) return r.memory;
  if (name === EPHEMERAL_STORAGE) return r.ephemeralStorage;
  return r.scalar.get(name) ?? 0;
}

/**
 * Fills `allocatable` and `requested` (same length as `resources`; 0 where skipped). CPU and memory
 * count the node's non-zero requests unless `useRequested`.
 */
export function allocatableAndRequested(
  ni: NodeInfo,
  resources: readonly ResourceSpec[],
  podRequest: readonly number[],
  useRequested: boolean,
  allocatable: number[],
  requested: number[],
): void {
  for (let i = 0; i < resources.length; i++) {
    const name = resources[i].name;
    allocatable[i] = 0;
    requested[i] = 0;
    const isBase = name === CPU || name === MEMORY || name === EPHEMERAL_STORAGE;
    // Extended resources the pod doesn't ask for don't count, even if the node has them.
    if (podRequest[i] === 0 && !isBase) continue;
    let alloc: number;
    let used: number;
    if (name === CPU || name === MEMORY) {
      alloc = requestOf(ni.allocatable, name);
      used = requestOf(useRequested ? ni.requested : ni.nonZeroRequested, name);
    } else if (name === EPHEMERAL_STORAGE) {
      alloc = ni.allocatable.ephemeralStorage;
      used = ni.requested.ephemeralStorage;
    } else {
      if (!ni.allocatable.scalar.has(name)) continue;
      alloc = ni.allocatable.scalar.get(name)!;
      used = ni.requested.scalar.get(name) ?? 0;
    }
    if (alloc === 0) continue;
    allocatable[i] = alloc;
    requested[i] = used + podRequest[i];
  }
}
