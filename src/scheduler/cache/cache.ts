// The scheduler's view of the cluster: nodes and the pods bound (or about to be bound) to them.
//
//   informer: node add/update/delete ─────────────► NodeInfo (allocatable, images)
//   informer: pod with spec.nodeName ─────────────► NodeInfo.addPod (confirms an assumed pod)
//   scheduler: assumePod at Reserve ──────────────► NodeInfo.addPod, marked assumed
//   scheduler: finishBinding ─► deadline = now + TTL ─► cleanupExpired() drops it if never confirmed
//   scheduler: forgetPod (bind failed) ───────────► NodeInfo.removePod
//
// Lists derived from the node set are rebuilt only when they are marked dirty, never per pod.
import type { Clock } from '../clock.ts';
import type { Node, Pod } from '../types.ts';
import { podUid } from '../types.ts';
import { NodeInfo } from './node-info.ts';
import { hasAffinity, hasRequiredAntiAffinity, newPodInfo } from './pod-info.ts';
import type { Snapshot } from './snapshot.ts';

/**
 * How long an assumed pod whose binding finished may wait for the informer to confirm it. Guards
 * against a lost watch event holding capacity forever; long enough for any sane watch lag.
 */
export const DEFAULT_ASSUMED_POD_TTL_MS = 15 * 60 * 1000;

interface PodState {
  pod: Pod;
  nodeName: string;
  assumed: boolean;
  bindingFinished: boolean;
  deadline: number | undefined;
}

export class CacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheError';
  }
}

export interface CacheOptions {
  clock: Clock;
  /** Default DEFAULT_ASSUMED_POD_TTL_MS; 0 disables expiry. */
  assumedPodTtlMs?: number;
}

export class SchedulerCache implements Snapshot {
  readonly #clock: Clock;
  readonly #ttl: number;
  /** Includes placeholder entries for pods whose node is not known yet. */
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #known = new Set<string>();
  readonly #pods = new Map<string, PodState>();
  readonly #imageNodes = new Map<string, number>();
  readonly #namespaces = new Map<string, Record<string, string>>();
  #list: NodeInfo[] | undefined;
  #affinityList: NodeInfo[] | undefined;
  #antiAffinityList: NodeInfo[] | undefined;

  constructor(opts: CacheOptions) {
    this.#clock = opts.clock;
    this.#ttl = opts.assumedPodTtlMs ?? DEFAULT_ASSUMED_POD_TTL_MS;
  }

  // ── Snapshot ──
  list(): readonly NodeInfo[] {
    if (!this.#list) this.#list = [...this.#nodes.values()].filter((n) => this.#known.has(n.name));
    return this.#list;
  }

  get(name: string): NodeInfo | undefined {
    return this.#known.has(name) ? this.#nodes.get(name) : undefined;
  }

  havePodsWithAffinity(): readonly NodeInfo[] {
    if (!this.#affinityList) this.#affinityList = this.list().filter((n) => n.podsWithAffinity.length > 0);
    return this.#affinityList;
  }

  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    if (!this.#antiAffinityList)
      this.#antiAffinityList = this.list().filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
    return this.#antiAffinityList;
  }

  imageNumNodes(image: string): number {
    return this.#imageNodes.get(image) ?? 0;
  }

  namespaceLabels(namespace: string): Record<string, string> | undefined {
    return this.#namespaces.get(namespace);
  }

  // ── Nodes ──
  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const existing = this.#nodes.get(name);
    if (existing) {
      if (this.#known.has(name)) this.#images(existing, -1);
      existing.setNode(node);
    } else {
      this.#nodes.set(name, new NodeInfo(node));
    }
    this.#known.add(name);
    this.#images(this.#nodes.get(name)!, 1);
    this.#dirty(true);
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const ni = this.#nodes.get(name);
    if (!ni || !this.#known.has(name)) return;
    this.#images(ni, -1);
    this.#known.delete(name);
    // Pods still bound keep a placeholder until their deletions arrive (informers are unordered).
    if (ni.pods.length === 0) this.#nodes.delete(name);
    this.#dirty(true);
  }

  #images(ni: NodeInfo, sign: number): void {
    for (const image of ni.imageSizes.keys()) {
      const n = (this.#imageNodes.get(image) ?? 0) + sign;
      if (n > 0) this.#imageNodes.set(image, n);
      else this.#imageNodes.delete(image);
    }
  }

  #dirty(nodes: boolean): void {
    if (nodes) this.#list = undefined;
    this.#affinityList = undefined;
    this.#antiAffinityList = undefined;
  }

  #nodeFor(name: string): NodeInfo {
    let ni = this.#nodes.get(name);
    if (!ni) {
      ni = new NodeInfo({ metadata: { name } });
      this.#nodes.set(name, ni);
    }
    return ni;
  }

  #place(pod: Pod, nodeName: string): void {
    const pi = newPodInfo(pod);
    this.#nodeFor(nodeName).addPod(pi);
    if (hasAffinity(pi) || hasRequiredAntiAffinity(pi)) this.#dirty(false);
  }

  #unplace(pod: Pod, nodeName: string): void {
    const ni = this.#nodes.get(nodeName);
    if (!ni) return;
    ni.removePod(pod);
    if (ni.pods.length === 0 && !this.#known.has(nodeName)) this.#nodes.delete(nodeName);
    this.#dirty(false);
  }

  // ── Pods ──
  /** A pod the informer reports bound (spec.nodeName set); confirms a matching assumed pod. */
  addPod(pod: Pod): void {
    const uid = podUid(pod);
    const nodeName = pod.spec?.nodeName ?? '';
    const st = this.#pods.get(uid);
    if (st) {
      // Confirmed (or a duplicate add): replace whatever we held with the informer's version.
      this.#unplace(st.pod, st.nodeName);
    }
    this.#place(pod, nodeName);
    this.#pods.set(uid, { pod, nodeName, assumed: false, bindingFinished: false, deadline: undefined });
  }

  updatePod(_old: Pod, pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const uid = podUid(pod);
    const st = this.#pods.get(uid);
    if (!st) return;
    this.#unplace(st.pod, st.nodeName);
    this.#pods.delete(uid);
  }

  /** Reserve a node for a pod before it is bound: later pods see its resources as used. */
  assumePod(pod: Pod): void {
    const uid = podUid(pod);
    if (this.#pods.has(uid)) throw new CacheError(`pod ${uid} is already in the cache, so can't be assumed`);
    const nodeName = pod.spec?.nodeName ?? '';
    this.#place(pod, nodeName);
    this.#pods.set(uid, { pod, nodeName, assumed: true, bindingFinished: false, deadline: undefined });
  }

  /** Binding succeeded: the assumed pod now expires unless the informer confirms it in time. */
  finishBinding(pod: Pod): void {
    const st = this.#pods.get(podUid(pod));
    if (!st?.assumed) return;
    st.bindingFinished = true;
    st.deadline = this.#ttl > 0 ? this.#clock.now() + this.#ttl : undefined;
  }

  /** Binding failed: give the node back. */
  forgetPod(pod: Pod): void {
    const uid = podUid(pod);
    const st = this.#pods.get(uid);
    if (!st?.assumed) return;
    this.#unplace(st.pod, st.nodeName);
    this.#pods.delete(uid);
  }

  isAssumed(pod: Pod): boolean {
    return this.#pods.get(podUid(pod))?.assumed ?? false;
  }

  /** Whether the cache holds the pod at all (bound or assumed). */
  hasPod(pod: Pod): boolean {
    return this.#pods.has(podUid(pod));
  }

  /** Drops assumed pods whose binding finished more than the TTL ago; returns them. */
  cleanupExpired(): Pod[] {
    const now = this.#clock.now();
    const expired: Pod[] = [];
    for (const [uid, st] of this.#pods) {
      if (!st.assumed || !st.bindingFinished || st.deadline === undefined || st.deadline > now) continue;
      this.#unplace(st.pod, st.nodeName);
      this.#pods.delete(uid);
      expired.push(st.pod);
    }
    return expired;
  }

  // ── Namespaces (for affinity namespaceSelector) ──
  setNamespace(name: string, labels: Record<string, string>): void {
    this.#namespaces.set(name, labels);
  }

  removeNamespace(name: string): void {
    this.#namespaces.delete(name);
  }

  get podCount(): number {
    return this.#pods.size;
  }
}
