// An open-loop load generator: calls start on a fixed schedule (i / rate after the start), each
// without waiting for the previous ones, as upstream's clusterloader2 qps tuning sets do — so a
// slow answer does not lower the offered rate the way a sequential loop does. In-flight calls are
// bounded: a tick that finds the bound reached is skipped and counted, which keeps an overloaded
// server from being buried and shows in the achieved rate instead.
import { type Clock, realClock } from '../../util/clock.ts';

export interface PacedOptions {
  /** Calls started per second. */
  ratePerS: number;
  /** How long to keep starting calls. */
  durationMs: number;
  /** At most this many calls in flight; a tick beyond it is skipped. */
  maxInFlight: number;
  /** The call for tick i (0, 1, 2, …; skipped ticks keep their index). */
  op: (i: number) => Promise<unknown>;
  clock?: Clock;
}

export interface PacedResult {
  /** Calls started. */
  issued: number;
  /** Ticks skipped because maxInFlight calls were outstanding. */
  skipped: number;
  /** Calls that rejected. */
  failed: number;
  /** From the first tick until the last call settled. */
  elapsedMs: number;
  /** Calls started per second over the issuing window (durationMs, or longer when ticks ran late). */
  achievedPerS: number;
}

export async function runPaced(o: PacedOptions): Promise<PacedResult> {
  if (!(o.ratePerS > 0) || !(o.maxInFlight >= 1))
    throw new Error('runPaced: ratePerS > 0 and maxInFlight ≥ 1');
  const clock = o.clock ?? realClock;
  const ticks = Math.floor((o.durationMs / 1000) * o.ratePerS);
  const t0 = clock.now();
  let issued = 0;
  let skipped = 0;
  let failed = 0;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  for (let i = 0; i < ticks; i++) {
    const wait = t0 + (i * 1000) / o.ratePerS - clock.now();
    if (wait > 0) await clock.sleep(wait);
    if (inFlight >= o.maxInFlight) {
      skipped++;
      continue;
    }
    issued++;
    inFlight++;
    o.op(i)
      .catch(() => {
        failed++;
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) drained?.();
      });
  }
  // A late event loop stretches the issuing window past durationMs: the rate is over the real one.
  const issuingMs = Math.max(o.durationMs, clock.now() - t0);
  if (inFlight > 0) await new Promise<void>((r) => (drained = r));
  return {
    issued,
    skipped,
    failed,
    elapsedMs: clock.now() - t0,
    achievedPerS: issuingMs > 0 ? issued / (issuingMs / 1000) : 0,
  };
}

/**
 * How many calls to start now so that `perPeriod` calls are spread evenly over every `periodMs`
 * (call k is due at k·periodMs/perPeriod): those due by `elapsedMs` less the `started` ones. Driven
 * by a timer, a late tick catches up instead of drifting — it never waits on earlier calls.
 */
export function dueNow(elapsedMs: number, perPeriod: number, periodMs: number, started: number): number {
  if (!(periodMs > 0) || perPeriod <= 0) return 0;
  return Math.max(0, Math.floor((Math.max(0, elapsedMs) * perPeriod) / periodMs) + 1 - started);
}
