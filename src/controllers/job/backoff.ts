// Upstream's pod-failure back-off for Jobs (pkg/controller/job/backoff_utils.go): after a pod of a
// Job fails, the next replacement waits 10 s, doubling with every further failure since the last
// success, capped at 10 min — so a crashing workload does not hammer the cluster with pods.

/** Upstream DefaultJobPodFailureBackOff. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/** Upstream MaxJobPodFailureBackOff. */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  /** Pod failures counted since the Job's last counted success. */
  failuresAfterLastSuccess: number;
  /** When the last failure was counted (clock ms). */
  lastFailureMs?: number;
}

/** The record after a sync counted `succeeded` and `failed` newly finished pods at `nowMs`. */
export function nextBackoffRecord(
  rec: BackoffRecord | undefined,
  succeeded: number,
  failed: number,
  nowMs: number,
): BackoffRecord {
  const base = succeeded > 0 ? 0 : (rec?.failuresAfterLastSuccess ?? 0);
  if (failed === 0)
    return { failuresAfterLastSuccess: base, lastFailureMs: base ? rec?.lastFailureMs : undefined };
  return { failuresAfterLastSuccess: base + failed, lastFailureMs: nowMs };
}

/** Milliseconds until a replacement pod may be created (0: now). */
export function remainingBackoffMs(
  rec: BackoffRecord | undefined,
  nowMs: number,
  baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS,
  maxMs = MAX_POD_FAILURE_BACKOFF_MS,
): number {
  if (!rec || rec.failuresAfterLastSuccess <= 0 || rec.lastFailureMs === undefined) return 0;
  const exp = Math.min(rec.failuresAfterLastSuccess - 1, 30);
  const delay = Math.min(baseMs * 2 ** exp, maxMs);
  return Math.max(0, rec.lastFailureMs + delay - nowMs);
}
