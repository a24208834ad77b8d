// Upstream slowStartBatch: run `count` calls in batches of 1, 2, 4, … so a template that can never
// succeed (quota, admission) fails after one call instead of flooding the API server with N.

/** Upstream SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/**
 * Calls fn count times in doubling batches; stops after the first batch with an error. Returns the
 * number of successful calls and the first error.
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: (index: number) => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  let index = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    const failed = results.find((r) => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: (failed as PromiseRejectedResult).reason };
    remaining -= batch;
  }
  return { successes };
}
