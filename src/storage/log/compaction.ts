// Compaction of the revision log, etcd's semantics: compact(C) keeps everything needed to read at
// any revision ≥ C and to watch from C-1 on, and drops the rest.
//
//   1. raise the watermark to C first (persisted): from now on a read below C or a watch from
//      below C-1 fails with Compacted instead of seeing half-deleted history
//   2. walk the rows that compaction has not visited yet, (compactedUpTo, C-1], in small id
//      windows, each its own transaction, yielding to the event loop between windows:
//      delete the rows they supersede, and delete them if they are tombstones
//
// A row is deleted only once its successor is below the watermark, so the successor's event is
// past every watch that can still start: the previous value every replayable event carries (the
// superseded row's value) is always still there.
//
// Worked example (keys a, b): rows 2 a=1 · 3 b=1 · 4 a=2 (prev 2) · 5 del b (prev 3) · 6 a=3 (prev 4)
//   compact(6): visits 2..5 → deletes 2 (superseded by 4), 3 (by 5), 5 (tombstone); keeps 4 (its
//   successor 6 is not visited yet) and 6. Reading at 6 still works; reading at 5 is Compacted.
//   compact(7) later visits 6 → deletes 4. Every live key keeps its newest row for ever.
//
// The revision counter never moves back: ids come from AUTOINCREMENT, which never reuses an id
// even when compaction deletes the highest row.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { LogDialect } from './dialect.ts';

/** Rows (ids) visited per transaction: each window is a few ms of work at most. */
export const COMPACT_WINDOW = 2_000;

/** Compacts up to (not including) `watermark`; one compaction runs at a time. */
export class Compactor {
  readonly #dialect: LogDialect;
  #chain: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(dialect: LogDialect) {
    this.#dialect = dialect;
  }

  compact(watermark: number): Promise<{ watermark: number; deleted: number }> {
    const run = this.#chain.then(() => this.#run(watermark));
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Stops between windows; resolves when the running compaction has stopped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#chain;
  }

  async #run(target: number): Promise<{ watermark: number; deleted: number }> {
    const d = this.#dialect;
    if (target > d.watermark()) d.setWatermark(target);
    const end = d.watermark() - 1;
    let from = d.compactedUpTo();
    let deleted = 0;
    while (from < end && !this.#stopped) {
      const to = Math.min(from + COMPACT_WINDOW, end);
      d.begin();
      try {
        deleted += d.compactRange(from, to);
        d.setCompactedUpTo(to);
        d.commit();
      } catch (err) {
        d.rollback();
        throw err;
      }
      from = to;
      if (from < end) await yieldToEventLoop();
    }
    return { watermark: d.watermark(), deleted };
  }
}
