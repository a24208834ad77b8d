// Rate limiters with client-go's semantics: a token bucket (golang.org/x/time/rate: refill at qps
// up to burst; a reservation may take a token "from the future" and says how long to wait), and the
// per-item limiters a workqueue uses to space out retries of one failing key.
import { exponentialDelay } from './backoff.ts';
import { type Clock, realClock } from './clock.ts';

/** Token bucket: `burst` requests at once, then `qps` per second on average. */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(qps: number, burst: number, clock: Clock = realClock) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`token bucket needs qps > 0 and burst >= 1`);
    this.qps = qps;
    this.burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.qps);
    this.#last = now;
  }

  /** Takes a token if one is available now. */
  tryAccept(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Takes a token now or in the future; returns how many ms until it is really available. */
  reserve(): number {
    this.#refill();
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.qps) * 1000;
  }

  /** Waits for a token (resolves early, without one, when signal aborts). */
  async wait(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay > 0) await this.#clock.sleep(delay, signal);
  }
}

/** Decides how long an item waits before it is retried (workqueue.addRateLimited). */
export interface RateLimiter<T> {
  /** The delay for this item now; counts one more failure for per-item limiters. */
  when(item: T): number;
  /** Forget the item's failure history (it succeeded). */
  forget(item: T): void;
  /** Failures counted for the item since the last forget. */
  numRequeues(item: T): number;
}

/** client-go's default per-item retry: 5 ms, doubling, capped at 1000 s. */
export const DEFAULT_ITEM_BASE_MS = 5;
export const DEFAULT_ITEM_MAX_MS = 1_000_000;
/** client-go's default overall retry budget: 10 per second, bursts of 100. */
export const DEFAULT_BUCKET_QPS = 10;
export const DEFAULT_BUCKET_BURST = 100;

/** base * 2^failures per item, capped at max. */
export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  readonly #base: number;
  readonly #max: number;
  readonly #failures = new Map<T, number>();

  constructor(baseMs = DEFAULT_ITEM_BASE_MS, maxMs = DEFAULT_ITEM_MAX_MS) {
    this.#base = baseMs;
    this.#max = maxMs;
  }

  when(item: T): number {
    const n = this.#failures.get(item) ?? 0;
    this.#failures.set(item, n + 1);
    return exponentialDelay(n, this.#base, this.#max);
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/** One shared token bucket for all items: bounds the total retry rate whatever fails. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  readonly #bucket: TokenBucket;

  constructor(qps = DEFAULT_BUCKET_QPS, burst = DEFAULT_BUCKET_BURST, clock: Clock = realClock) {
    this.#bucket = new TokenBucket(qps, burst, clock);
  }

  when(_item: T): number {
    return this.#bucket.reserve();
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly #limiters: RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.#limiters = limiters;
  }

  when(item: T): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.#limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

export interface ControllerRateLimiterOptions {
  baseMs?: number;
  maxMs?: number;
  qps?: number;
  burst?: number;
  clock?: Clock;
}

/** client-go's DefaultControllerRateLimiter: per-item exponential, and an overall token bucket. */
export function defaultControllerRateLimiter<T>(opts: ControllerRateLimiterOptions = {}): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialRateLimiter<T>(opts.baseMs, opts.maxMs),
    new BucketRateLimiter<T>(opts.qps, opts.burst, opts.clock),
  );
}
