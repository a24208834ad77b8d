// Exponential backoff for retry loops (informer re-lists, leader-election retries, reconnects).
// The shape follows client-go's reflector backoff: start small, double, cap, add jitter so that many
// clients failing together do not retry in lockstep, and forget the history after a quiet spell.
import { type Clock, realClock } from './clock.ts';

/** `initial * factor^attempt`, capped at max; attempt 0 is the first retry. */
export function exponentialDelay(attempt: number, initialMs: number, maxMs: number, factor = 2): number {
  // Past ~1000 doublings the power is Infinity: the cap still applies.
  const d = initialMs * factor ** Math.max(0, attempt);
  return Number.isFinite(d) ? Math.min(d, maxMs) : maxMs;
}

export interface BackoffOptions {
  /** First delay (default 800 ms, client-go's reflector). */
  initialMs?: number;
  /** Largest delay (default 30 s). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Adds up to this fraction of the delay at random (default 0.5; 0 for none). */
  jitter?: number;
  /** A retry this long after the previous one starts again from initialMs (default 2 min). */
  resetAfterMs?: number;
  clock?: Clock;
  /** Source of randomness in [0, 1) (tests pin it). */
  random?: () => number;
}

const DEFAULT_INITIAL_MS = 800;
const DEFAULT_MAX_MS = 30_000;
const DEFAULT_JITTER = 0.5;
const DEFAULT_RESET_AFTER_MS = 120_000;

/** Stateful backoff: each next() returns the delay to wait before the next attempt. */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #resetAfter: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  #attempt = 0;
  #last: number | undefined;

  constructor(opts: BackoffOptions = {}) {
    this.#initial = opts.initialMs ?? DEFAULT_INITIAL_MS;
    this.#max = opts.maxMs ?? DEFAULT_MAX_MS;
    this.#factor = opts.factor ?? 2;
    this.#jitter = opts.jitter ?? DEFAULT_JITTER;
    this.#resetAfter = opts.resetAfterMs ?? DEFAULT_RESET_AFTER_MS;
    this.#clock = opts.clock ?? realClock;
    this.#random = opts.random ?? Math.random;
  }

  get attempts(): number {
    return this.#attempt;
  }

  next(): number {
    const now = this.#clock.now();
    if (this.#last !== undefined && now - this.#last > this.#resetAfter) this.#attempt = 0;
    this.#last = now;
    const base = exponentialDelay(this.#attempt++, this.#initial, this.#max, this.#factor);
    return base + base * this.#jitter * this.#random();
  }

  reset(): void {
    this.#attempt = 0;
    this.#last = undefined;
  }
}
