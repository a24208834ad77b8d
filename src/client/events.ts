// The event recorder: core/v1 Events as client-go's tools/record writes them. event() never blocks
// and never throws: events go into a bounded queue that one background loop writes out, and a full
// queue drops the event (events are best effort by design; an overloaded cluster must not slow the
// controllers that report on it).
//
//   event(obj, type, reason, message)
//     └─► queue (≤ 1000) ─► spam filter (token bucket per object+event: burst 25, 1 per 5 min)
//                          ─► aggregator (>10 messages for one object+reason in 10 min → one
//                             "(combined from similar events): …" event)
//                          ─► seen before? PATCH count+1, lastTimestamp : POST a new Event
import { hostname } from 'node:os';
import type { KObject } from '../api/object.ts';
import { type Clock, realClock } from '../util/clock.ts';
import type { Disposable } from '../util/disposable.ts';
import type { Logger } from '../util/log.ts';
import { TokenBucket } from '../util/rate-limiter.ts';
import { rfc3339 } from '../util/time-format.ts';
import { isNotFound } from './errors.ts';
import { EVENTS } from './resource.ts';
import type { RestClient } from './rest.ts';

export type EventType = 'Normal' | 'Warning';

/** core/v1 ObjectReference: the involvedObject of an Event. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. `deployment-controller`. */
  component: string;
  /** source.host and reportingInstance (default: this machine's hostname). */
  host?: string;
  clock?: Clock;
  log?: Logger;
  /** Events waiting to be written; past it new events are dropped (default 1000, as client-go). */
  maxQueued?: number;
}

/** client-go's defaults (tools/record/events_cache.go). */
export const SPAM_BURST = 25;
export const SPAM_QPS = 1 / 300;
export const AGGREGATE_MAX_EVENTS = 10;
export const AGGREGATE_INTERVAL_MS = 600_000;
export const COMBINED_PREFIX = '(combined from similar events): ';
/** Bound on remembered events and filters: enough for a busy controller, no unbounded growth. */
const CACHE_ENTRIES = 4096;
const DEFAULT_MAX_QUEUED = 1000;
/** Writes are retried a few times: the API server may be restarting. */
const WRITE_ATTEMPTS = 3;
const RETRY_DELAY_MS = 1000;

interface Pending {
  ref: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
  annotations?: Record<string, string>;
  at: number;
  /** Not an event: drop what the caches hold about `ref` (see forget()). */
  forget?: true;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

interface Aggregate {
  messages: Set<string>;
  lastMs: number;
}

/** A Map that forgets its least recently used entries past a bound. */
class Lru<V> {
  readonly #max: number;
  readonly #m = new Map<string, V>();

  constructor(max: number) {
    this.#max = max;
  }

  get(k: string): V | undefined {
    const v = this.#m.get(k);
    if (v !== undefined) {
      this.#m.delete(k);
      this.#m.set(k, v);
    }
    return v;
  }

  set(k: string, v: V): void {
    this.#m.delete(k);
    this.#m.set(k, v);
    if (this.#m.size > this.#max) this.#m.delete(this.#m.keys().next().value as string);
  }

  delete(k: string): void {
    this.#m.delete(k);
  }

  deletePrefix(prefix: string): void {
    for (const k of this.#m.keys()) if (k.startsWith(prefix)) this.#m.delete(k);
  }
}

/** An ObjectReference to an object (its kind and apiVersion must be set, as for any API object). */
export function referenceTo(obj: KObject | ObjectReference): ObjectReference {
  if (!('metadata' in obj) || typeof obj.metadata !== 'object') return obj as ObjectReference;
  const o = obj as KObject;
  const ref: ObjectReference = { kind: o.kind, name: o.metadata?.name, apiVersion: o.apiVersion };
  if (o.metadata?.namespace) ref.namespace = o.metadata.namespace;
  if (o.metadata?.uid) ref.uid = o.metadata.uid;
  if (o.metadata?.resourceVersion) ref.resourceVersion = o.metadata.resourceVersion;
  return ref;
}

const refKey = (r: ObjectReference): string =>
  [r.kind, r.namespace, r.name, r.uid, r.apiVersion].map((s) => s ?? '').join('\u0000');

/** metav1.Time: RFC 3339 in whole seconds. */

export class EventRecorder implements Disposable {
  readonly #client: RestClient;
  readonly #component: string;
  readonly #host: string;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;
  readonly #maxQueued: number;
  readonly #queue: Pending[] = [];
  readonly #spam = new Lru<TokenBucket>(CACHE_ENTRIES);
  readonly #aggregates = new Lru<Aggregate>(CACHE_ENTRIES);
  readonly #seen = new Lru<Seen>(CACHE_ENTRIES);
  /** The drain loop runs (set and cleared by #drain itself, which may finish synchronously). */
  #draining = false;
  #idle: (() => void)[] = [];
  #disposed = false;
  #dropped = 0;
  #lastNameNs = 0n;

  constructor(client: RestClient, opts: EventRecorderOptions) {
    this.#client = client;
    this.#component = opts.component;
    this.#host = opts.host ?? hostname();
    this.#clock = opts.clock ?? realClock;
    this.#log = opts.log;
    this.#maxQueued = opts.maxQueued ?? DEFAULT_MAX_QUEUED;
  }

  /** Events dropped because the queue was full or the recorder stopped. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Records an event about obj; returns at once. */
  event(obj: KObject | ObjectReference, type: EventType, reason: string, message: string): void {
    this.#enqueue(obj, type, reason, message);
  }

  /** As event(), with annotations on the Event object. */
  annotatedEvent(
    obj: KObject | ObjectReference,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    message: string,
  ): void {
    this.#enqueue(obj, type, reason, message, annotations);
  }

  /**
   * Drops the spam-filter, aggregation and dedup state kept for an object that is gone (a deleted
   * pod), after the events already queued for it. client-go keeps it until its LRU (4,096 entries
   * each) evicts it: on a node that runs many short-lived pods that is several MB of dead keys.
   */
  forget(obj: KObject | ObjectReference): void {
    this.#queue.push({ ref: referenceTo(obj), type: 'Normal', reason: '', message: '', at: 0, forget: true });
    this.#kick();
  }

  /** Resolves once every queued event has been written (or given up on). */
  flush(): Promise<void> {
    if (!this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops accepting events and waits for the queued ones to be written. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.flush();
  }

  #enqueue(
    obj: KObject | ObjectReference,
    type: EventType,
    reason: string,
    message: string,
    annotations?: Record<string, string>,
  ): void {
    if (this.#disposed || this.#queue.length >= this.#maxQueued) {
      this.#dropped++;
      this.#log?.warn('event dropped', { reason, message, queued: this.#queue.length });
      return;
    }
    this.#queue.push({ ref: referenceTo(obj), type, reason, message, annotations, at: this.#clock.now() });
    this.#kick();
  }

  /**
   * Starts the drain loop unless it runs. Its state is the flag #drain sets and clears itself: a
   * queue holding only forget() markers drains without awaiting anything, so a promise stored by
   * the caller would outlive the loop and stall every later event.
   */
  #kick(): void {
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    while (this.#queue.length) {
      const ev = this.#queue.shift()!;
      if (ev.forget) {
        const prefix = `${this.#objectKey(ev.ref)}\u0000`;
        for (const cache of [this.#spam, this.#aggregates, this.#seen]) cache.deletePrefix(prefix);
        continue;
      }
      try {
        await this.#record(ev);
      } catch (err) {
        this.#log?.warn('event not recorded', { reason: ev.reason, err: String(err) });
      }
    }
    this.#draining = false;
    const idle = this.#idle;
    this.#idle = [];
    for (const f of idle) f();
  }

  #objectKey(ref: ObjectReference): string {
    return `${this.#component}\u0000${this.#host}\u0000${refKey(ref)}`;
  }

  async #record(ev: Pending): Promise<void> {
    const objKey = this.#objectKey(ev.ref);
    // Spam filter: repeats of one event for one object beyond the burst are dropped.
    const spamKey = `${objKey}\u0000${ev.type}\u0000${ev.reason}\u0000${ev.message}`;
    let bucket = this.#spam.get(spamKey);
    if (!bucket) {
      bucket = new TokenBucket(SPAM_QPS, SPAM_BURST, this.#clock);
      this.#spam.set(spamKey, bucket);
    }
    if (!bucket.tryAccept()) return;

    // Aggregation: many different messages for one object and reason collapse into one event.
    const aggKey = `${objKey}\u0000${ev.type}\u0000${ev.reason}`;
    let agg = this.#aggregates.get(aggKey);
    if (!agg || ev.at - agg.lastMs > AGGREGATE_INTERVAL_MS) {
      agg = { messages: new Set(), lastMs: ev.at };
      this.#aggregates.set(aggKey, agg);
    }
    agg.messages.add(ev.message);
    agg.lastMs = ev.at;
    let message = ev.message;
    let seenKey = `${aggKey}\u0000${ev.message}`;
    if (agg.messages.size >= AGGREGATE_MAX_EVENTS) {
      message = COMBINED_PREFIX + ev.message;
      seenKey = aggKey;
    }

    const now = rfc3339(ev.at);
    const seen = this.#seen.get(seenKey);
    if (seen) {
      const count = seen.count + 1;
      try {
        await this.#withRetry(() =>
          this.#client
            .resource(EVENTS, seen.namespace)
            .patch(seen.name, 'strategic', { count, lastTimestamp: now, message }),
        );
        seen.count = count;
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // The Event expired (events have a TTL): start a new one below.
        this.#seen.delete(seenKey);
      }
    }
    const namespace = ev.ref.namespace || 'default';
    const name = `${ev.ref.name ?? 'unknown'}.${this.#uniqueSuffix(ev.at)}`;
    const body: KObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, ...(ev.annotations ? { annotations: ev.annotations } : {}) },
      involvedObject: ev.ref,
      reason: ev.reason,
      message,
      source: { component: this.#component, host: this.#host },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: ev.type,
      eventTime: null,
      reportingComponent: this.#component,
      reportingInstance: this.#host,
    };
    await this.#withRetry(() => this.#client.resource(EVENTS, namespace).create(body));
    this.#seen.set(seenKey, { name, namespace, count: 1, firstTimestamp: now });
  }

  /** Upstream names events `<object>.<unix nanos in hex>`; ours stay unique within a millisecond. */
  #uniqueSuffix(ms: number): string {
    let ns = BigInt(Math.floor(ms)) * 1_000_000n;
    if (ns <= this.#lastNameNs) ns = this.#lastNameNs + 1n;
    this.#lastNameNs = ns;
    return ns.toString(16);
  }

  async #withRetry<R>(fn: () => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        const retriable = typeof code !== 'number' || code === 429 || code >= 500;
        if (!retriable || attempt >= WRITE_ATTEMPTS) throw err;
        await this.#clock.sleep(RETRY_DELAY_MS * attempt);
      }
    }
  }
}
