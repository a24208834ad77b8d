// The scheduler's view of the cluster: nodes and the pods bound (or about to be bound) to them.
//
//   informer: node add/update/delete ─────────────► NodeInfo (allocatable, images)
//   informer: pod with spec.nodeName ─────────────► NodeInfo.addPod (confirms an assumed pod)
//   scheduler: assumePod at Reserve ──────────────► NodeInfo.addPod, marked assumed
//   scheduler: finishBinding ─► deadline = now + TTL ─► cleanupExpired() drops it if never confirmed
//   scheduler: forgetPod (bind failed) ───────────► NodeInfo.removePod
//
// Lists derived from the node set are rebuilt only when the set changes; per-domain counters for
// PodTopologySpread and InterPodAffinity (domain-counts.ts, affinity-counts.ts) follow each pod.

import type { LabelSelector } from '../../api/selectors/index.ts';
import type { Clock } from '../clock.ts';
import type { Node, Pod } from '../types.ts';
import { podUid } from '../types.ts';
import {
  affinityTermKey,
  PlacedTermCounts,
  requiredAntiAffinityOf,
  scoringTermsOf,
  TermCounts,
  type TermGroup,
} from './affinity-counts.ts';
import { DomainCounts, domainCountsKey } from './domain-counts.ts';
import { NodeInfo } from './node-info.ts';
import {
  type AffinityTerm,
  hasAffinity,
  hasRequiredAntiAffinity,
  newPodInfo,
  type PodInfo,
} from './pod-info.ts';
import type { Snapshot } from './snapshot.ts';

/**
 * How long an assumed pod whose binding finished may wait for the informer to confirm it. Guards
 * against a lost watch event holding capacity forever; long enough for any sane watch lag.
 */
export const DEFAULT_ASSUMED_POD_TTL_MS = 15 * 60 * 1000;
/**
 * Domain counters kept live at once (least recently used dropped first). Each costs a selector
 * match per pod placed or removed; pods usually share a few spread selectors per workload.
 */
export const MAX_DOMAIN_COUNTERS = 32;
/** Likewise for InterPodAffinity's per-term counters. */
export const MAX_TERM_COUNTERS = 32;

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
  /**
   * Known nodes holding at least one pod with any (anti-)affinity term / a required anti-affinity
   * term. Rebuilt from list() when the node set changes (undefined), otherwise kept per pod by
   * #listsChanged; the arrays handed out are copies made when membership changed.
   */
  #affinityNodes: Set<NodeInfo> | undefined;
  #antiAffinityNodes: Set<NodeInfo> | undefined;
  #affinityList: NodeInfo[] | undefined;
  #antiAffinityList: NodeInfo[] | undefined;
  /**
   * Invariant: each counter below matches what a fresh one built over list() would hold. Pods
   * are fed to them in #place/#unplace; any change to the node set or node labels drops them all
   * (#dropCounters), and namespace label changes drop the term counters (namespaceSelector).
   * Maps are in recency order: the least recently used counter is evicted first.
   */
  readonly #domainCounts = new Map<string, DomainCounts>();
  readonly #termCounts = new Map<string, TermCounts>();
  /** Built on first use; undefined means "rebuild from list()". */
  #antiTerms: PlacedTermCounts | undefined;
  #scoringTerms: PlacedTermCounts | undefined;

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
    this.#affinityNodes ??= new Set(this.list().filter((n) => n.podsWithAffinity.length > 0));
    this.#affinityList ??= [...this.#affinityNodes];
    return this.#affinityList;
  }

  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    this.#antiAffinityNodes ??= new Set(this.list().filter((n) => n.podsWithRequiredAntiAffinity.length > 0));
    this.#antiAffinityList ??= [...this.#antiAffinityNodes];
    return this.#antiAffinityList;
  }

  hasPodsWithRequiredAntiAffinity(): boolean {
    this.#antiAffinityNodes ??= new Set(this.list().filter((n) => n.podsWithRequiredAntiAffinity.length > 0));
    return this.#antiAffinityNodes.size > 0;
  }

  domainCounts(namespace: string, topologyKey: string, selector: LabelSelector): DomainCounts {
    return lruGet(
      this.#domainCounts,
      domainCountsKey(namespace, topologyKey, selector),
      MAX_DOMAIN_COUNTERS,
      () => new DomainCounts(namespace, topologyKey, selector, this.list()),
    );
  }

  termCounts(term: AffinityTerm): ReadonlyMap<string, number> {
    return lruGet(
      this.#termCounts,
      affinityTermKey(term),
      MAX_TERM_COUNTERS,
      () => new TermCounts(term, this.list(), (ns) => this.#namespaces.get(ns)),
    ).counts;
  }

  existingAntiAffinityTerms(): Iterable<TermGroup> {
    this.#antiTerms ??= new PlacedTermCounts(this.list(), requiredAntiAffinityOf);
    return this.#antiTerms.groups();
  }

  existingScoringTerms(): Iterable<TermGroup> {
    this.#scoringTerms ??= new PlacedTermCounts(this.list(), scoringTermsOf);
    return this.#scoringTerms.groups();
  }

  #dropCounters(): void {
    this.#domainCounts.clear();
    this.#termCounts.clear();
    this.#antiTerms = undefined;
    this.#scoringTerms = undefined;
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
    const sameLabels =
      existing !== undefined &&
      this.#known.has(name) &&
      sameStringMap(existing.node.metadata?.labels, node.metadata?.labels);
    if (!sameLabels) this.#dropCounters();
    if (existing) {
      if (this.#known.has(name)) this.#images(existing, -1);
      existing.setNode(node);
    } else {
      this.#nodes.set(name, new NodeInfo(node));
    }
    const wasKnown = this.#known.has(name);
    this.#known.add(name);
    this.#images(this.#nodes.get(name)!, 1);
    // An update of a known node mutates its NodeInfo in place: the lists still hold.
    if (!wasKnown) this.#dirty();
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const ni = this.#nodes.get(name);
    if (!ni || !this.#known.has(name)) return;
    this.#images(ni, -1);
    this.#known.delete(name);
    this.#dropCounters();
    // Pods still bound keep a placeholder until their deletions arrive (informers are unordered).
    if (ni.pods.length === 0) this.#nodes.delete(name);
    this.#dirty();
  }

  #images(ni: NodeInfo, sign: number): void {
    for (const image of ni.imageSizes.keys()) {
      const n = (this.#imageNodes.get(image) ?? 0) + sign;
      if (n > 0) this.#imageNodes.set(image, n);
      else this.#imageNodes.delete(image);
    }
  }

  #dirty(): void {
    this.#list = undefined;
    this.#affinityNodes = undefined;
    this.#antiAffinityNodes = undefined;
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
    const ni = this.#nodeFor(nodeName);
    ni.addPod(pi);
    this.#listsChanged(pi, ni);
    this.#countPod(pi, ni, 1);
  }

  /** The affinity lists change only when a known node gains its first or loses its last such pod. */
  #listsChanged(pi: PodInfo, ni: NodeInfo): void {
    if (!this.#known.has(ni.name)) return;
    if (hasAffinity(pi) && ni.podsWithAffinity.length <= 1) {
      this.#affinityList = undefined;
      if (ni.podsWithAffinity.length > 0) this.#affinityNodes?.add(ni);
      else this.#affinityNodes?.delete(ni);
    }
    if (hasRequiredAntiAffinity(pi) && ni.podsWithRequiredAntiAffinity.length <= 1) {
      this.#antiAffinityList = undefined;
      if (ni.podsWithRequiredAntiAffinity.length > 0) this.#antiAffinityNodes?.add(ni);
      else this.#antiAffinityNodes?.delete(ni);
    }
  }

  /** Feeds a pod placed on or removed from a known node to the counters. */
  #countPod(pi: PodInfo, ni: NodeInfo, sign: 1 | -1): void {
    if (!this.#known.has(ni.name)) return;
    const labels = ni.labels;
    for (const dc of this.#domainCounts.values()) dc.podChanged(pi.pod, labels, sign);
    for (const tc of this.#termCounts.values()) tc.podChanged(pi.pod, labels, sign);
    if (hasAffinity(pi)) {
      this.#antiTerms?.podChanged(pi, labels, sign);
      this.#scoringTerms?.podChanged(pi, labels, sign);
    }
  }

  #unplace(pod: Pod, nodeName: string): void {
    const ni = this.#nodes.get(nodeName);
    if (!ni) return;
    const pi = ni.removePod(pod);
    if (pi) {
      this.#listsChanged(pi, ni);
      this.#countPod(pi, ni, -1);
    }
    if (ni.pods.length === 0 && !this.#known.has(nodeName)) this.#nodes.delete(nodeName);
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
    const before = this.#namespaces.get(name);
    if (!before || !sameStringMap(before, labels)) this.#termCounts.clear();
    this.#namespaces.set(name, labels);
  }

  removeNamespace(name: string): void {
    if (this.#namespaces.delete(name)) this.#termCounts.clear();
  }

  get podCount(): number {
    return this.#pods.size;
  }
}

function sameStringMap(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b ?? {}).length) return false;
  for (const k of ak) if (!Object.hasOwn(b!, k) || a![k] !== b![k]) return false;
  return true;
}

/** The entry for `key`, built when missing, moved to the most recent end; evicts the oldest past `max`. */
function lruGet<T>(m: Map<string, T>, key: string, max: number, build: () => T): T {
  let v = m.get(key);
  if (v === undefined) {
    v = build();
    if (m.size >= max) m.delete(m.keys().next().value!);
  } else m.delete(key);
  m.set(key, v);
  return v;
}
