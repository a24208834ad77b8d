// In-process fan-out of committed writes to watchers. The log publishes each commit's events
// synchronously, right after COMMIT (no polling); sinks only append to their own bounded queue,
// so publishing costs O(prefixes + watchers) and never waits for a consumer.
//
// Subscribers are grouped by prefix: 1,000 watchers on '/registry/pods/' filter each batch once.
import type { WatchEvent } from '../types.ts';

export type EventSink = (events: readonly WatchEvent[]) => void;

export class Fanout {
  readonly #byPrefix = new Map<string, Set<EventSink>>();

  get subscribers(): number {
    let n = 0;
    for (const sinks of this.#byPrefix.values()) n += sinks.size;
    return n;
  }

  /** Delivers every later published event whose key starts with prefix; returns the unsubscribe. */
  subscribe(prefix: string, sink: EventSink): () => void {
    let sinks = this.#byPrefix.get(prefix);
    if (!sinks) {
      sinks = new Set();
      this.#byPrefix.set(prefix, sinks);
    }
    sinks.add(sink);
    return () => {
      const set = this.#byPrefix.get(prefix);
      if (!set) return;
      set.delete(sink);
      if (set.size === 0) this.#byPrefix.delete(prefix);
    };
  }

  /** Events of one commit (or several), in revision order. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    for (const [prefix, sinks] of this.#byPrefix) {
      const matching = prefix === '' ? events : events.filter((e) => e.key.startsWith(prefix));
      if (matching.length === 0) continue;
      // A sink may unsubscribe itself (its queue overflowed); Set iteration tolerates that.
      for (const sink of sinks) sink(matching);
    }
  }
}
