// Expiry of keys written with a TTL (Events): a min-heap of (expiry time, key, revision) and one
// timer set for the earliest entry. When an entry is due, `expire` deletes the key with CAS on the
// revision that was written with the TTL, so a key rewritten since (new revision, new TTL or none)
// is left alone: the stale heap entry simply loses the CAS.

/** Never sleep longer than this: timers far in the future are re-armed (and wall clocks may jump). */
const MAX_TIMER_MS = 60_000;
/** Entries due within this window are expired together, so a burst of Events costs one wake-up. */
const COALESCE_MS = 50;

export interface ExpiryEntry {
  key: string;
  revision: number;
  /** Unix time in ms. */
  expiresAt: number;
}

export class ExpiryQueue {
  readonly #heap: ExpiryEntry[] = [];
  readonly #expire: (entry: ExpiryEntry) => Promise<void>;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(expire: (entry: ExpiryEntry) => Promise<void>, opts: { now?: () => number } = {}) {
    this.#expire = expire;
    this.#now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.#heap.length;
  }

  add(entry: ExpiryEntry): void {
    if (this.#stopped) return;
    const h = this.#heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].expiresAt <= h[i].expiresAt) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
    if (entry.expiresAt < this.#timerAt) this.#arm();
  }

  #pop(): ExpiryEntry | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].expiresAt < h[m].expiresAt) m = l;
        if (r < h.length && h[r].expiresAt < h[m].expiresAt) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }

  #arm(): void {
    if (this.#stopped || this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const first = this.#heap[0];
    if (!first) return;
    const delay = Math.min(Math.max(first.expiresAt - this.#now(), 0), MAX_TIMER_MS);
    this.#timerAt = this.#now() + delay;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#running = this.#run().finally(() => {
        this.#running = undefined;
        this.#arm();
      });
    }, delay);
    // Expiry must not keep a process alive on its own.
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    const due = this.#now() + COALESCE_MS;
    while (!this.#stopped && this.#heap.length > 0 && this.#heap[0].expiresAt <= due) {
      const entry = this.#pop()!;
      try {
        await this.#expire(entry);
      } catch {
        // The callback reports its own failures; one failed key must not stop the others.
      }
    }
  }

  /** Stops the timer; waits for a running sweep. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
