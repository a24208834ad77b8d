// A watch that starts in the past: replay history from the log, then switch to the live fan-out
// without a gap or a duplicate.
//
//   1. subscribe to the fan-out first; live events go to a side buffer, and note `head`, the
//      revision committed at that instant (every live event is > head, every row ≤ head is stored)
//   2. read history (from, head] in pages, pushing each page to the consumer's queue; wait for the
//      consumer between pages, and re-check the compaction watermark before every page
//   3. push the side buffer (de-duplicated by revision against what was replayed), then let live
//      events flow straight into the queue
//
// Worked example: watch('/a/', 5) while head = 9 and a write at 10 commits during the replay:
//   replay yields 6..9 from the log, the side buffer holds 10, the switch delivers 10, later writes
//   (11, …) go straight to the queue.
import { compacted, watcherFellBehind } from '../errors.ts';
import type { WatchEvent, WatchOptions } from '../types.ts';
import type { Fanout } from './fanout.ts';
import { WatchQueue } from './watch-queue.ts';

/** History rows read per synchronous step; small enough to keep each step well under a millisecond or so. */
export const REPLAY_PAGE = 500;

export interface HistoryPage {
  /** Events on the prefix with after < revision ≤ upto, in revision order. */
  events: WatchEvent[];
  /** The revision the read got to: the last event's revision, or `upto` when it read everything. */
  readUpTo: number;
}

/** What a log offers a watch: its fan-out, its committed revision, its watermark and history. */
export interface WatchSource {
  readonly fanout: Fanout;
  /** The newest revision that is committed and has been published. */
  revision(): number;
  /** The oldest readable revision; history below it is gone. */
  watermark(): number;
  history(prefix: string, after: number, upto: number, limit: number): HistoryPage;
}

/** Events with revision > fromRevision (0: from now on) on keys starting with prefix. */
export function replayWatch(
  source: WatchSource,
  prefix: string,
  fromRevision: number,
  opts: WatchOptions = {},
): WatchQueue {
  const queue = new WatchQueue(opts);
  if (queue.closed) return queue;
  // A watch "after R" needs every event from R+1 on; those survive compaction at C when R+1 ≥ C.
  if (fromRevision > 0 && fromRevision + 1 < source.watermark()) {
    queue.fail(compacted(fromRevision, source.watermark()));
    return queue;
  }
  const head = source.revision();
  let cursor = Math.max(fromRevision, 0);
  let side: WatchEvent[] | undefined = fromRevision > 0 && fromRevision < head ? [] : undefined;
  if (side === undefined) cursor = Math.max(cursor, head);
  const unsubscribe = source.fanout.subscribe(prefix, (events) => {
    if (side !== undefined) {
      for (const ev of events) side.push(ev);
      if (side.length > queue.maxBufferedEvents) queue.fail(watcherFellBehind(queue.maxBufferedEvents));
      return;
    }
    queue.push(events[0].revision > cursor ? events : events.filter((e) => e.revision > cursor));
  });
  queue.onClose(unsubscribe);
  if (side !== undefined) void replay();
  return queue;

  async function replay(): Promise<void> {
    try {
      while (cursor < head && !queue.closed) {
        const watermark = source.watermark();
        if (cursor + 1 < watermark) {
          queue.fail(compacted(fromRevision, watermark));
          return;
        }
        const page = source.history(prefix, cursor, head, REPLAY_PAGE);
        queue.push(page.events);
        cursor = page.readUpTo;
        // Backpressure: read the next page only once the consumer has taken this one.
        if (queue.buffered >= REPLAY_PAGE) await queue.drained();
        else await new Promise<void>((r) => setImmediate(r));
      }
      const buffered = side ?? [];
      side = undefined;
      queue.push(buffered.filter((e) => e.revision > cursor));
      if (buffered.length > 0) cursor = Math.max(cursor, buffered[buffered.length - 1].revision);
    } catch (err) {
      queue.fail(err);
    }
  }
}
