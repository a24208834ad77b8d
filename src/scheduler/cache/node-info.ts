// One node and the pods on it (bound and assumed), with aggregates kept incrementally as pods come
// and go: requested resources, host ports in use, pods carrying (anti-)affinity. Filters read these
// instead of walking the node's pods.
import { matchesLabels } from '../../api/selectors/index.ts';
import type { Node, Pod } from '../types.ts';
import { podUid } from '../types.ts';
import { ANY_IP, type HostPort, hasAffinity, hasRequiredAntiAffinity, type PodInfo } from './pod-info.ts';
import { addResource, cloneResource, newResource, type Resource, resourceFromList } from './resources.ts';

export class NodeInfo {
  node: Node;
  readonly name: string;
  allocatable: Resource;
  readonly requested: Resource;
  readonly nonZeroRequested: Resource;
  pods: PodInfo[] = [];
  /** Invariant: uid → position in `pods`, for every pod in it (O(1) removal). */
  readonly #index = new Map<string, number>();
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  /** `ip` → `protocol/port` → number of pods using it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** Image name (every alias in status.images) → size in bytes. */
  imageSizes = new Map<string, number>();
  /** Bumped on every change; lets callers notice staleness cheaply. */
  generation = 0;

  constructor(node: Node) {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.allocatable = resourceFromList(node.status?.allocatable as Record<string, string> | undefined);
    this.requested = newResource();
    this.nonZeroRequested = newResource();
    this.imageSizes = imageSizesOf(node);
  }

  get labels(): Record<string, string> {
    return this.node.metadata?.labels ?? {};
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = resourceFromList(node.status?.allocatable as Record<string, string> | undefined);
    this.imageSizes = imageSizesOf(node);
    this.generation++;
  }

  addPod(pi: PodInfo): void {
    this.#index.set(podUid(pi.pod), this.pods.length);
    this.pods.push(pi);
    if (hasAffinity(pi)) this.podsWithAffinity.push(pi);
    if (hasRequiredAntiAffinity(pi)) this.podsWithRequiredAntiAffinity.push(pi);
    this.#account(pi, 1);
  }

  /** The removed pod's info; undefined when the pod is not on this node. */
  removePod(pod: Pod): PodInfo | undefined {
    const uid = podUid(pod);
    const i = this.#index.get(uid);
    if (i === undefined) return undefined;
    const pi = this.pods[i];
    // Order does not matter: swap-remove keeps removal O(1).
    const last = this.pods.pop()!;
    this.#index.delete(uid);
    if (last !== pi) {
      this.pods[i] = last;
      this.#index.set(podUid(last.pod), i);
    }
    this.podsWithAffinity = this.podsWithAffinity.filter((p) => p !== pi);
    this.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.filter((p) => p !== pi);
    this.#account(pi, -1);
    return pi;
  }

  #account(pi: PodInfo, sign: number): void {
    addResource(this.requested, pi.requests, sign);
    this.nonZeroRequested.milliCPU += sign * pi.nonZeroRequests.milliCPU;
    this.nonZeroRequested.memory += sign * pi.nonZeroRequests.memory;
    for (const hp of pi.hostPorts) this.#port(hp, sign);
    this.generation++;
  }

  #port(hp: HostPort, sign: number): void {
    let byIp = this.usedPorts.get(hp.ip);
    if (!byIp) {
      byIp = new Map();
      this.usedPorts.set(hp.ip, byIp);
    }
    const key = `${hp.protocol}/${hp.port}`;
    const n = (byIp.get(key) ?? 0) + sign;
    if (n > 0) byIp.set(key, n);
    else byIp.delete(key);
    if (byIp.size === 0) this.usedPorts.delete(hp.ip);
  }

  /** Upstream's HostPortInfo.CheckConflict: 0.0.0.0 collides with every address. */
  portConflicts(hp: HostPort): boolean {
    const key = `${hp.protocol}/${hp.port}`;
    if (hp.ip === ANY_IP) {
      for (const byIp of this.usedPorts.values()) if (byIp.has(key)) return true;
      return false;
    }
    return (this.usedPorts.get(hp.ip)?.has(key) ?? false) || (this.usedPorts.get(ANY_IP)?.has(key) ?? false);
  }

  /** A deep-enough copy for preemption to remove pods from without touching the cache. */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    for (const pi of this.pods) c.addPod(pi);
    c.allocatable = cloneResource(this.allocatable);
    c.generation = this.generation;
    return c;
  }

  /** Pods on the node whose labels match, within one namespace (PodTopologySpread's count). */
  countMatching(namespace: string, selector: Parameters<typeof matchesLabels>[0]): number {
    let n = 0;
    for (const pi of this.pods) {
      const p = pi.pod;
      if (p.metadata?.deletionTimestamp != null) continue;
      if ((p.metadata?.namespace ?? 'default') !== namespace) continue;
      if (matchesLabels(selector, p.metadata?.labels ?? {})) n++;
    }
    return n;
  }
}

function imageSizesOf(node: Node): Map<string, number> {
  const m = new Map<string, number>();
  for (const img of node.status?.images ?? [])
    for (const name of img.names ?? []) m.set(name, img.sizeBytes ?? 0);
  return m;
}
