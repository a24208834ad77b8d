// The consumer side of every watch: a bounded queue of events that the consumer drains in
// batches through `for await`. Producers push synchronously and never wait; a consumer that lets
// more than `maxBufferedEvents` pile up is cut off with an error (its buffer is dropped), so one
// stalled watcher can never hold memory or writers hostage.
import { watcherFellBehind } from '../errors.ts';
import type { WatchEvent, WatchStream } from '../types.ts';

/**
 * Default per-watcher buffer. Large enough for bursts (a namespace deletion, a re-list of a few
 * thousand objects) at ~1–2 KB per object, small enough that a stuck consumer costs ~10–20 MB.
 */
export const DEFAULT_MAX_BUFFERED_EVENTS = 10_000;

type Waiter = { resolve: (r: IteratorResult<WatchEvent[]>) => void; reject: (err: unknown) => void };

export class WatchQueue implements WatchStream {
  readonly #max: number;
  #buf: WatchEvent[] = [];
  #waiter: Waiter | undefined;
  #error: unknown;
  #done = false;
  #cleanups: (() => void)[] = [];
  #drained: (() => void)[] = [];

  constructor(opts: { maxBufferedEvents?: number; signal?: AbortSignal } = {}) {
    this.#max = opts.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS;
    const signal = opts.signal;
    if (signal) {
      if (signal.aborted) this.close();
      else {
        const onAbort = () => this.close();
        signal.addEventListener('abort', onAbort, { once: true });
        this.onClose(() => signal.removeEventListener('abort', onAbort));
      }
    }
  }

  /** True once closed, failed or aborted: producers should stop. */
  get closed(): boolean {
    return this.#done;
  }

  /** Events waiting for the consumer. */
  get buffered(): number {
    return this.#buf.length;
  }

  get maxBufferedEvents(): number {
    return this.#max;
  }

  /** Runs once when the queue closes for any reason (unsubscribe, cancel a remote watch). */
  onClose(fn: () => void): void {
    if (this.#done) fn();
    else this.#cleanups.push(fn);
  }

  push(events: readonly WatchEvent[]): void {
    if (this.#done || events.length === 0) return;
    for (const ev of events) this.#buf.push(ev);
    if (this.#buf.length > this.#max) {
      this.fail(watcherFellBehind(this.#max));
      return;
    }
    this.#wake();
  }

  /** Ends the stream with an error the consumer sees on its next read. */
  fail(err: unknown): void {
    if (this.#done) return;
    this.#error = err;
    this.#finish();
  }

  close(): void {
    if (this.#done) return;
    this.#finish();
  }

  /** Resolves when the consumer next takes a batch (or the queue closes): producer backpressure for replays. */
  drained(): Promise<void> {
    if (this.#done || this.#buf.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #finish(): void {
    this.#done = true;
    this.#buf = [];
    const cleanups = this.#cleanups;
    this.#cleanups = [];
    for (const fn of cleanups) fn();
    this.#releaseDrained();
    this.#wake();
  }

  #releaseDrained(): void {
    const waiting = this.#drained;
    this.#drained = [];
    for (const resolve of waiting) resolve();
  }

  #wake(): void {
    const w = this.#waiter;
    if (!w) return;
    const r = this.#take();
    if (r === undefined) return;
    this.#waiter = undefined;
    if (r.ok) w.resolve(r.result);
    else w.reject(r.error);
  }

  /** The next outcome for the reader, or undefined when it has to wait. */
  #take(): { ok: true; result: IteratorResult<WatchEvent[]> } | { ok: false; error: unknown } | undefined {
    if (this.#buf.length > 0) {
      const batch = this.#buf;
      this.#buf = [];
      this.#releaseDrained();
      return { ok: true, result: { done: false, value: batch } };
    }
    if (!this.#done) return undefined;
    if (this.#error !== undefined) return { ok: false, error: this.#error };
    return { ok: true, result: { done: true, value: undefined } };
  }

  next(): Promise<IteratorResult<WatchEvent[]>> {
    if (this.#waiter) return Promise.reject(new Error('a watch stream supports one reader at a time'));
    const r = this.#take();
    if (r === undefined) {
      return new Promise((resolve, reject) => {
        this.#waiter = { resolve, reject };
      });
    }
    return r.ok ? Promise.resolve(r.result) : Promise.reject(r.error);
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent[]> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
