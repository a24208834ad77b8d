// CrashLoopBackOff bookkeeping, shaped like the kubelet's: each (pod, container) restart waits
// 10 s, doubling to 5 min; a container that then stays up for 10 min earns a fresh start.
import { exponentialDelay } from '../util/backoff.ts';
import type { Clock } from '../util/clock.ts';

export const CRASH_BACKOFF_INITIAL_MS = 10_000;
export const CRASH_BACKOFF_MAX_MS = 300_000;
/** Twice the cap, as the kubelet: a container running this long forgets its crash history. */
export const CRASH_BACKOFF_RESET_MS = 2 * CRASH_BACKOFF_MAX_MS;

interface Entry {
  /** Number of restarts already backed off. */
  attempt: number;
  /** When the current wait ends (epoch ms). */
  until: number;
}

export class CrashBackoff {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Records a crash of `key` that finished at `finishedAt` (epoch ms), after running since
   * `startedAt`, and returns the delay before the next start. A long clean run resets the history.
   */
  recordExit(key: string, startedAt: number, finishedAt: number): number {
    let e = this.#entries.get(key);
    if (e && finishedAt - startedAt >= CRASH_BACKOFF_RESET_MS) e = undefined;
    const attempt = e ? e.attempt + 1 : 0;
    const delay = exponentialDelay(attempt, CRASH_BACKOFF_INITIAL_MS, CRASH_BACKOFF_MAX_MS);
    this.#entries.set(key, { attempt, until: finishedAt + delay });
    return delay;
  }

  /** Milliseconds left before `key` may start again (0 = may start now). */
  remaining(key: string): number {
    const e = this.#entries.get(key);
    return e ? Math.max(0, e.until - this.#clock.now()) : 0;
  }

  /** The current wait's length, for the BackOff message ("back-off 20s restarting ..."). */
  currentDelay(key: string): number {
    const e = this.#entries.get(key);
    return e ? exponentialDelay(e.attempt, CRASH_BACKOFF_INITIAL_MS, CRASH_BACKOFF_MAX_MS) : 0;
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops every key that starts with `prefix` (a deleted pod's containers). */
  forgetPrefix(prefix: string): void {
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }
}

export const backoffKey = (podUid: string, container: string): string => `${podUid}/${container}`;

/** The kubelet's BackOff wording: `back-off 40s restarting failed container=app pod=web_default(uid)`. */
export function backoffMessage(
  delayMs: number,
  container: string,
  pod: string,
  ns: string,
  uid: string,
): string {
  return `back-off ${formatGoDuration(delayMs)} restarting failed container=${container} pod=${pod}_${ns}(${uid})`;
}

/** Go's time.Duration String() for whole seconds: 10s, 1m20s, 5m0s. */
export function formatGoDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${s % 60}s`;
}
