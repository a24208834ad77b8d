// The scheduling queue, as kube-scheduler's PriorityQueue:
//
//   add ─► PreEnqueue ─┬─ gated ──────────────────────────► unschedulable (until its own update)
//                      └─ ok ─► activeQ (QueueSort order) ─► pop ─► scheduling cycle
//   failure ─► moved during the attempt? ─ yes ─► backoffQ ─(expiry)─► activeQ
//                                        └ no ──► unschedulable ─(a relevant event | 5 min)─► backoffQ/activeQ
//
// A relevant event is one declared by a plugin that rejected the pod in its last attempt.
import { newPodInfo, type PodInfo } from '../cache/pod-info.ts';
import type { Clock } from '../clock.ts';
import {
  type ClusterEvent,
  type ClusterEventWithHint,
  EventResource,
  eventMatches,
  QueueingHint,
} from '../framework/events.ts';
import type { Nominator, QueuedPodInfo } from '../framework/interface.ts';
import type { Status } from '../framework/status.ts';
import type { Pod } from '../types.ts';
import { podUid } from '../types.ts';
import { backoffDuration, DEFAULT_INITIAL_BACKOFF_MS, DEFAULT_MAX_BACKOFF_MS } from './backoff.ts';
import { KeyedHeap } from './heap.ts';

/** Upstream's podMaxInUnschedulablePodsDuration: no pod waits longer than this for an event. */
export const DEFAULT_MAX_IN_UNSCHEDULABLE_MS = 5 * 60 * 1000;
/** How often completed backoffs move to the active queue (upstream: every second). */
export const BACKOFF_FLUSH_INTERVAL_MS = 1000;
/** How often the unschedulable pool is checked for pods past the maximum wait (upstream: 30 s). */
export const UNSCHEDULABLE_FLUSH_INTERVAL_MS = 30_000;

export interface QueueOptions {
  clock: Clock;
  /** The profiles' QueueSort (upstream requires one order for all profiles). */
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** The PreEnqueue plugins of the pod's profile. */
  preEnqueue: (pod: Pod) => Status | undefined;
  /** Events each plugin declared; union over profiles. */
  eventsByPlugin: ReadonlyMap<string, ClusterEventWithHint[]>;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxInUnschedulableMs?: number;
}

export class SchedulingQueue implements Nominator {
  readonly #clock: Clock;
  readonly #opts: QueueOptions;
  readonly #active: KeyedHeap<QueuedPodInfo>;
  readonly #backoff: KeyedHeap<QueuedPodInfo>;
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  readonly #inFlight = new Map<string, QueuedPodInfo>();
  readonly #nominatedByNode = new Map<string, Map<string, PodInfo>>();
  readonly #nominatedNodeOf = new Map<string, string>();
  #waiters: (() => void)[] = [];
  #schedulingCycle = 0;
  #moveRequestCycle = -1;
  #timers: unknown[] = [];
  #closed = false;

  constructor(opts: QueueOptions) {
    this.#opts = opts;
    this.#clock = opts.clock;
    const key = (q: QueuedPodInfo) => podUid(q.pod);
    this.#active = new KeyedHeap(key, opts.less);
    this.#backoff = new KeyedHeap(key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  get schedulingCycle(): number {
    return this.#schedulingCycle;
  }

  /** Counts per sub-queue, for metrics and tests. */
  stats(): { active: number; backoff: number; unschedulable: number; gated: number; inFlight: number } {
    let gated = 0;
    for (const q of this.#unschedulable.values()) if (q.gatedBy) gated++;
    return {
      active: this.#active.size,
      backoff: this.#backoff.size,
      unschedulable: this.#unschedulable.size - gated,
      gated,
      inFlight: this.#inFlight.size,
    };
  }

  /** Where a pod is: 'active' | 'backoff' | 'unschedulable' | 'gated' | 'inFlight' | undefined. */
  whereIs(pod: Pod): string | undefined {
    const uid = podUid(pod);
    if (this.#active.has(uid)) return 'active';
    if (this.#backoff.has(uid)) return 'backoff';
    const u = this.#unschedulable.get(uid);
    if (u) return u.gatedBy ? 'gated' : 'unschedulable';
    if (this.#inFlight.has(uid)) return 'inFlight';
    return undefined;
  }

  #newQueued(pod: Pod): QueuedPodInfo {
    const now = this.#clock.now();
    return {
      pod,
      podInfo: newPodInfo(pod),
      timestamp: now,
      initialAttemptTimestamp: now,
      attempts: 0,
      unschedulablePlugins: new Set(),
      gatedBy: undefined,
    };
  }

  /** Runs PreEnqueue: gated pods park in the unschedulable pool, the rest become active. */
  #enqueue(q: QueuedPodInfo): void {
    const s = this.#opts.preEnqueue(q.pod);
    const uid = podUid(q.pod);
    if (s) {
      q.gatedBy = s.plugin ?? 'PreEnqueue';
      this.#unschedulable.set(uid, q);
      return;
    }
    q.gatedBy = undefined;
    this.#unschedulable.delete(uid);
    this.#active.upsert(q);
    this.#wake();
  }

  /** A new unscheduled pod. */
  add(pod: Pod): void {
    const uid = podUid(pod);
    if (this.#has(uid)) {
      this.update(pod, pod);
      return;
    }
    this.#nominateFromStatus(pod);
    this.#enqueue(this.#newQueued(pod));
  }

  #has(uid: string): boolean {
    return (
      this.#active.has(uid) ||
      this.#backoff.has(uid) ||
      this.#unschedulable.has(uid) ||
      this.#inFlight.has(uid)
    );
  }

  update(old: Pod, pod: Pod): void {
    const uid = podUid(pod);
    this.#nominateFromStatus(pod);
    const refresh = (q: QueuedPodInfo) => {
      q.pod = pod;
      q.podInfo = newPodInfo(pod);
    };
    const a = this.#active.get(uid);
    if (a) {
      refresh(a);
      this.#active.upsert(a);
      return;
    }
    const b = this.#backoff.get(uid);
    if (b) {
      refresh(b);
      this.#backoff.upsert(b);
      return;
    }
    const u = this.#unschedulable.get(uid);
    if (u) {
      refresh(u);
      if (u.gatedBy) {
        this.#enqueue(u);
        return;
      }
      // A spec or label change may be exactly what the pod needed: retry it.
      if (podSchedulingChanged(old, pod)) {
        this.#unschedulable.delete(uid);
        this.#requeue(u);
      }
      return;
    }
    const f = this.#inFlight.get(uid);
    if (f) {
      refresh(f);
      return;
    }
    this.#enqueue(this.#newQueued(pod));
  }

  delete(pod: Pod): void {
    const uid = podUid(pod);
    this.#active.delete(uid);
    this.#backoff.delete(uid);
    this.#unschedulable.delete(uid);
    this.#inFlight.delete(uid);
    this.deleteNominatedPodIfExists(pod);
  }

  /** The next pod to schedule, or undefined when none is active. */
  tryPop(): QueuedPodInfo | undefined {
    const q = this.#active.pop();
    if (!q) return undefined;
    q.attempts++;
    this.#schedulingCycle++;
    this.#inFlight.set(podUid(q.pod), q);
    return q;
  }

  /** Waits for an active pod; resolves undefined when the queue closes or the signal aborts. */
  async pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    for (;;) {
      if (this.#closed || signal?.aborted) return undefined;
      const q = this.tryPop();
      if (q) return q;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** The attempt finished (bound or requeued elsewhere). */
  done(pod: Pod): void {
    this.#inFlight.delete(podUid(pod));
  }

  /**
   * Put a pod back after a failed attempt. `cycle` is the scheduling cycle the attempt ran in: if a
   * move request arrived since, the event may already have fixed things, so the pod only backs off.
   */
  addUnschedulable(q: QueuedPodInfo, cycle: number, unschedulablePlugins: Iterable<string>): void {
    const uid = podUid(q.pod);
    this.#inFlight.delete(uid);
    if (this.#active.has(uid) || this.#backoff.has(uid) || this.#unschedulable.has(uid)) return;
    q.timestamp = this.#clock.now();
    q.unschedulablePlugins = new Set(unschedulablePlugins);
    if (this.#moveRequestCycle >= cycle || q.unschedulablePlugins.size === 0) {
      this.#backoff.upsert(q);
      return;
    }
    this.#unschedulable.set(uid, q);
  }

  backoffExpiry(q: QueuedPodInfo): number {
    const d = backoffDuration(
      q.attempts,
      this.#opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS,
      this.#opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
    );
    return q.timestamp + d;
  }

  #requeue(q: QueuedPodInfo): void {
    if (this.backoffExpiry(q) > this.#clock.now()) this.#backoff.upsert(q);
    else {
      this.#active.upsert(q);
      this.#wake();
    }
  }

  #podMatchesEvent(q: QueuedPodInfo, ev: ClusterEvent, oldObj: unknown, newObj: unknown): boolean {
    if (ev.resource === EventResource.Wildcard) return true;
    if (q.unschedulablePlugins.size === 0) return true;
    for (const plugin of q.unschedulablePlugins) {
      for (const reg of this.#opts.eventsByPlugin.get(plugin) ?? []) {
        if (!eventMatches(reg.event, ev)) continue;
        if (!reg.hint || reg.hint(q.pod, oldObj, newObj) === QueueingHint.Queue) return true;
      }
    }
    return false;
  }

  /**
   * A cluster event happened: every unschedulable pod one of whose rejecting plugins cares about
   * it moves to backoffQ or activeQ. `preCheck` narrows candidates cheaply (e.g. affinity).
   */
  moveAllToActiveOrBackoff(
    ev: ClusterEvent,
    oldObj?: unknown,
    newObj?: unknown,
    preCheck?: (p: Pod) => boolean,
  ): number {
    this.#moveRequestCycle = this.#schedulingCycle;
    let moved = 0;
    for (const [uid, q] of this.#unschedulable) {
      if (q.gatedBy) continue;
      if (preCheck && !preCheck(q.pod)) continue;
      if (!this.#podMatchesEvent(q, ev, oldObj, newObj)) continue;
      this.#unschedulable.delete(uid);
      this.#requeue(q);
      moved++;
    }
    return moved;
  }

  /** Moves pods whose backoff has expired to the active queue. */
  flushBackoffCompleted(): void {
    const now = this.#clock.now();
    for (;;) {
      const top = this.#backoff.peek();
      if (!top || this.backoffExpiry(top) > now) break;
      this.#backoff.pop();
      this.#active.upsert(top);
    }
    if (this.#active.size > 0) this.#wake();
  }

  /** Pods stuck unschedulable longer than the maximum are retried regardless of events. */
  flushUnschedulableLeftover(): void {
    const now = this.#clock.now();
    const max = this.#opts.maxInUnschedulableMs ?? DEFAULT_MAX_IN_UNSCHEDULABLE_MS;
    for (const [uid, q] of this.#unschedulable) {
      if (q.gatedBy || now - q.timestamp <= max) continue;
      this.#unschedulable.delete(uid);
      this.#requeue(q);
    }
  }

  /** Starts the periodic flushes on the injected clock. */
  run(): void {
    const every = (ms: number, fn: () => void) => {
      const tick = () => {
        if (this.#closed) return;
        fn();
        this.#timers.push(this.#clock.setTimeout(tick, ms));
      };
      this.#timers.push(this.#clock.setTimeout(tick, ms));
    };
    every(BACKOFF_FLUSH_INTERVAL_MS, () => this.flushBackoffCompleted());
    every(UNSCHEDULABLE_FLUSH_INTERVAL_MS, () => this.flushUnschedulableLeftover());
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) this.#clock.clearTimeout(t);
    this.#timers = [];
    this.#wake();
  }

  // ── Nominator ──
  #nominateFromStatus(pod: Pod): void {
    const node = pod.status?.nominatedNodeName;
    if (node) this.addNominatedPod(newPodInfo(pod), node);
  }

  addNominatedPod(pi: PodInfo, nodeName: string): void {
    this.deleteNominatedPodIfExists(pi.pod);
    const uid = podUid(pi.pod);
    let m = this.#nominatedByNode.get(nodeName);
    if (!m) {
      m = new Map();
      this.#nominatedByNode.set(nodeName, m);
    }
    m.set(uid, pi);
    this.#nominatedNodeOf.set(uid, nodeName);
  }

  deleteNominatedPodIfExists(pod: Pod): void {
    const uid = podUid(pod);
    const node = this.#nominatedNodeOf.get(uid);
    if (node === undefined) return;
    this.#nominatedNodeOf.delete(uid);
    const m = this.#nominatedByNode.get(node);
    m?.delete(uid);
    if (m?.size === 0) this.#nominatedByNode.delete(node);
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    // The common case, asked once per node examined: nothing nominated anywhere.
    if (this.#nominatedByNode.size === 0) return EMPTY;
    const m = this.#nominatedByNode.get(nodeName);
    return m ? [...m.values()] : EMPTY;
  }

  nominatedNodeOf(pod: Pod): string | undefined {
    return this.#nominatedNodeOf.get(podUid(pod));
  }
}

const EMPTY: readonly PodInfo[] = Object.freeze([]);

/** Did anything the scheduler looks at change (spec, labels, annotations)? Status-only updates don't count. */
export function podSchedulingChanged(a: Pod, b: Pod): boolean {
  return (
    JSON.stringify(a.spec) !== JSON.stringify(b.spec) ||
    JSON.stringify(a.metadata?.labels ?? {}) !== JSON.stringify(b.metadata?.labels ?? {}) ||
    JSON.stringify(a.metadata?.annotations ?? {}) !== JSON.stringify(b.metadata?.annotations ?? {})
  );
}
