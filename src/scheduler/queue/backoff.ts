// Per-pod exponential backoff: initial × 2^(attempts−1), capped (upstream's 1 s → 10 s).

/** Upstream's podInitialBackoffSeconds default. */
export const DEFAULT_INITIAL_BACKOFF_MS = 1000;
/** Upstream's podMaxBackoffSeconds default. */
export const DEFAULT_MAX_BACKOFF_MS = 10_000;

export function backoffDuration(attempts: number, initialMs: number, maxMs: number): number {
  let d = initialMs;
  for (let i = 1; i < attempts; i++) {
    if (d > maxMs - d) return maxMs;
    d += d;
  }
  return Math.min(d, maxMs);
}
