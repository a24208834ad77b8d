// A counting semaphore for pod start-ups: how many pods may be setting up a sandbox and starting
// their first containers at once (the agent's `parallelPodStarts`; off by default). The trade-off,
// measured with bench/pods.ts on 2 shared cores (100-replica Deployment): unlimited, every pod is
// Ready late (first after ~8 s) but all 100 sooner (8.6–10.2 s); 4 slots, the first Ready after
// 0.6 s and in creation order, but all 100 only after 12.5–13.3 s (16 slots: 12 s). Much of a
// start-up is waiting on forked processes, which overlaps well.

/** Used when a limit is asked for without a number. */
export const DEFAULT_START_SLOTS = 4;

export class StartSlots {
  #free: number;
  readonly #waiters: (() => void)[] = [];

  constructor(slots = DEFAULT_START_SLOTS) {
    this.#free = Math.max(1, slots);
  }

  /** Resolves with a release function once a slot is free (FIFO). */
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#free++;
    };
  }

  get waiting(): number {
    return this.#waiters.length;
  }
}
