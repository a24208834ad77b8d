// A controller's work queue with client-go's guarantees (util/workqueue: queue.go, delaying_queue.go,
// rate_limiting_queue.go):
//   - fair: items come out in the order they were added;
//   - stingy: an item added several times before a worker takes it is handed out once;
//   - never concurrent: an item being processed is not handed to a second worker; re-added while
//     processing, it is queued again when done() is called for it;
//   - delayed and rate-limited re-adds (per-item exponential backoff plus an overall token bucket);
//   - shutdown: adds are dropped, get() drains what is queued and then reports shutdown.
//
//   add ──► dirty? ──no──► processing? ──no──► queue ──get()──► processing ──done()──┐
//             │yes (dropped)     │yes (stays dirty, queued at done) ◄───────────────┘
//   addAfter / addRateLimited ──► waiting (min-heap by ready time) ──timer──► add
import { type Clock, realClock, type Timer } from './clock.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

export type QueueResult<T> = { item: T; shutdown: false } | { item: undefined; shutdown: true };

export interface WorkQueueOptions<T> {
  /** Time source for delays (default: the real clock). */
  clock?: Clock;
  /** Decides addRateLimited delays (default: client-go's controller default, on this queue's clock). */
  rateLimiter?: RateLimiter<T>;
}

const SHUTDOWN: { item: undefined; shutdown: true } = Object.freeze({ item: undefined, shutdown: true });
/** Consumed slots at the head of the array are reclaimed past this many (amortised O(1) pops). */
const COMPACT_AFTER = 1024;

export class WorkQueue<T> {
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<T>;
  #queue: T[] = [];
  #head = 0;
  readonly #dirty = new Set<T>();
  readonly #processing = new Set<T>();
  #getters: ((r: QueueResult<T>) => void)[] = [];
  #shuttingDown = false;
  #drainWaiters: (() => void)[] = [];
  /** Ready time of each delayed item (the earliest asked for), and a heap over them. */
  readonly #waiting = new Map<T, number>();
  readonly #heap = new MinHeap<T>();
  #timer: Timer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#limiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>({ clock: this.#clock });
  }

  /** Items waiting for a worker (not those being processed or delayed). */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Items handed out and not yet done. */
  get processing(): number {
    return this.#processing.size;
  }

  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#dirty.add(item);
    if (this.#processing.has(item)) return; // queued again by done()
    this.#queue.push(item);
    this.#handOut();
  }

  /** The next item, once one is queued; `{shutdown: true}` once shut down and empty. */
  get(): Promise<QueueResult<T>> {
    if (this.length > 0) return Promise.resolve(this.#take());
    if (this.#shuttingDown) return Promise.resolve(SHUTDOWN);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Marks an item finished; if it was added meanwhile it goes back in the queue now. */
  done(item: T): void {
    if (!this.#processing.delete(item)) return;
    if (this.#dirty.has(item)) {
      this.#queue.push(item);
      this.#handOut();
    }
    if (this.#processing.size === 0 && this.#drainWaiters.length) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Adds the item after ms (at once for ms <= 0); an earlier pending time for it wins. */
  addAfter(item: T, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const at = this.#clock.now() + ms;
    const pending = this.#waiting.get(item);
    if (pending !== undefined && pending <= at) return;
    this.#waiting.set(item, at);
    this.#heap.push(at, item);
    this.#schedule();
  }

  /** Adds the item after the rate limiter's delay (its backoff grows with each call). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.#limiter.when(item));
  }

  /** Clears the item's backoff history: call it when processing succeeded. */
  forget(item: T): void {
    this.#limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.#limiter.numRequeues(item);
  }

  /** Stops accepting items; queued items are still handed out, then get() reports shutdown. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#waiting.clear();
    this.#heap.clear();
    // Getters only wait when the queue is empty, so every one of them learns of the shutdown.
    const getters = this.#getters;
    this.#getters = [];
    for (const g of getters) g(SHUTDOWN);
  }

  /** shutDown(), then resolves once no item is being processed. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #take(): QueueResult<T> {
    const item = this.#queue[this.#head++];
    if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#dirty.delete(item);
    this.#processing.add(item);
    return { item, shutdown: false };
  }

  #handOut(): void {
    while (this.#getters.length && this.length > 0) this.#getters.shift()!(this.#take());
  }

  #schedule(): void {
    const next = this.#heap.peekAt();
    if (next === undefined || next >= this.#timerAt) return;
    this.#timer?.cancel();
    this.#timerAt = next;
    this.#timer = this.#clock.setTimer(next - this.#clock.now(), () => this.#fire());
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    for (let at = this.#heap.peekAt(); at !== undefined && at <= now; at = this.#heap.peekAt()) {
      const item = this.#heap.pop()!;
      // Stale heap entries (the item was re-scheduled earlier) are skipped.
      if (this.#waiting.get(item) !== at) continue;
      this.#waiting.delete(item);
      this.add(item);
    }
    this.#schedule();
  }
}

/** A binary min-heap of (time, item); duplicates allowed, staleness judged by the caller. */
class MinHeap<T> {
  #ats: number[] = [];
  #items: T[] = [];

  peekAt(): number | undefined {
    return this.#ats[0];
  }

  clear(): void {
    this.#ats = [];
    this.#items = [];
  }

  push(at: number, item: T): void {
    const a = this.#ats;
    const it = this.#items;
    let i = a.length;
    a.push(at);
    it.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= at) break;
      a[i] = a[p];
      it[i] = it[p];
      i = p;
    }
    a[i] = at;
    it[i] = item;
  }

  pop(): T | undefined {
    const a = this.#ats;
    const it = this.#items;
    if (a.length === 0) return undefined;
    const top = it[0];
    const lastAt = a.pop()!;
    const lastItem = it.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && a[l + 1] < a[l] ? l + 1 : l;
        if (a[c] >= lastAt) break;
        a[i] = a[c];
        it[i] = it[c];
        i = c;
      }
      a[i] = lastAt;
      it[i] = lastItem;
    }
    return top;
  }
}

export interface RunWorkersOptions<T> {
  /** Told about each failed item before it is re-added with backoff. */
  onError?: (item: T, err: unknown) => void;
}

/**
 * Runs `count` workers until the queue shuts down: get → handler → forget on success or
 * addRateLimited on failure → done. Resolves when every worker has stopped.
 */
export async function runWorkers<T>(
  queue: WorkQueue<T>,
  count: number,
  handler: (item: T) => Promise<void> | void,
  opts: RunWorkersOptions<T> = {},
): Promise<void> {
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = await queue.get();
      if (next.shutdown) return;
      const item = next.item;
      try {
        await handler(item);
        queue.forget(item);
      } catch (err) {
        opts.onError?.(item, err);
        queue.addRateLimited(item);
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: count }, worker));
}
