// The watch cache of one resource (e.g. core/pods): every object in memory, a bounded history of
// recent events so watches can resume from a resourceVersion, and the live watchers. It is fed by
// the one global storage watch (cache-manager.ts); it never reads storage itself after init.
//
//   storage ──watch('/registry/')──► CacheManager ──apply(event)──► ResourceCache
//                                                          │ items (Map key→Entry)
//                                                          │ history (ring of CacheEvent)
//                                                          └──► watchers (filter → send)

import { byCodeUnit } from '../../util/code-unit-order.ts';
import type { Entry } from './entry.ts';

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  /** The new state; for DELETED, the last state with resourceVersion = the delete's revision. */
  entry: Entry;
  /** The state before this event (MODIFIED, DELETED). */
  prev?: Entry;
  rv: number;
}

export interface CacheWatcher {
  /** Whether an object is visible to this watcher (namespace, label and field selectors). */
  matches(entry: Entry): boolean;
  /** Deliver one event already translated for this watcher's filter. */
  send(type: CacheEventType, entry: Entry): void;
  /** Tell the watcher the cache advanced (for bookmarks). */
  progress?(rv: number): void;
  /** The cache was reset (storage watch lost); the watcher must end so its client re-lists. */
  terminate(reason: string): void;
}

/** Events kept for watch resumption: enough for clients that re-watch after a short gap. */
export const DEFAULT_HISTORY_CAPACITY = 10_000;

export class ResourceCache {
  readonly id: string;
  readonly prefix: string;
  readonly items = new Map<string, Entry>();
  /** Revision the cache reflects: every event up to it has been applied. */
  rv = 0;
  /** Watches from any rv >= oldestRv can be served from history. */
  oldestRv = 0;
  readonly #history: CacheEvent[] = [];
  readonly #capacity: number;
  #sortedKeys: string[] | undefined;
  readonly #watchers = new Set<CacheWatcher>();

  constructor(id: string, prefix: string, capacity = DEFAULT_HISTORY_CAPACITY) {
    this.id = id;
    this.prefix = prefix;
    this.#capacity = capacity;
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }

  /** Replace the contents (initial load or re-list after a lost storage watch). */
  reset(entries: Entry[], rv: number, reason?: string): void {
    if (reason) for (const w of this.#watchers) w.terminate(reason);
    if (reason) this.#watchers.clear();
    this.items.clear();
    for (const e of entries) this.items.set(e.key, e);
    this.#sortedKeys = undefined;
    this.#history.length = 0;
    this.rv = rv;
    this.oldestRv = rv;
  }

  apply(type: CacheEventType, entry: Entry, rv: number): void {
    const prev = this.items.get(entry.key);
    if (type === 'DELETED') {
      if (!this.items.delete(entry.key)) return;
      this.#sortedKeys = undefined;
    } else {
      if (!prev) this.#sortedKeys = undefined;
      this.items.set(entry.key, entry);
    }
    prev?.superseded();
    const ev: CacheEvent = { type: prev && type === 'ADDED' ? 'MODIFIED' : type, entry, prev, rv };
    this.#history.push(ev);
    if (this.#history.length > this.#capacity) {
      const dropped = this.#history.splice(0, this.#history.length - this.#capacity);
      this.oldestRv = dropped[dropped.length - 1].rv;
    }
    this.rv = rv;
    for (const w of this.#watchers) dispatch(w, ev);
  }

  /** The global watch moved past rv without touching this resource. */
  advance(rv: number): void {
    if (rv <= this.rv) return;
    this.rv = rv;
    for (const w of this.#watchers) w.progress?.(rv);
  }

  /** Keys in storage order (bytewise), cached until membership changes. */
  sortedKeys(): string[] {
    if (!this.#sortedKeys) this.#sortedKeys = [...this.items.keys()].sort(byCodeUnit);
    return this.#sortedKeys;
  }

  /**
   * Start a watcher. fromRv undefined: synthetic ADDED for current state, then live.
   * Otherwise replays history after fromRv. Returns false when fromRv is older than the history.
   * Synchronous, so no event can slip between replay and registration.
   */
  addWatcher(w: CacheWatcher, fromRv: number | undefined): boolean {
    if (fromRv === undefined) {
      for (const key of this.sortedKeys()) {
        const e = this.items.get(key)!;
        if (w.matches(e)) w.send('ADDED', e);
      }
    } else {
      if (fromRv < this.oldestRv) return false;
      for (const ev of this.#history) if (ev.rv > fromRv) dispatch(w, ev);
    }
    this.#watchers.add(w);
    return true;
  }

  removeWatcher(w: CacheWatcher): void {
    this.#watchers.delete(w);
  }
}

/** Translate an event through a watcher's filter, as upstream: leaving the filter is a DELETED. */
function dispatch(w: CacheWatcher, ev: CacheEvent): void {
  const now = ev.type !== 'DELETED' && w.matches(ev.entry);
  const before = ev.prev !== undefined && w.matches(ev.prev);
  if (ev.type === 'DELETED') {
    if (before || (ev.prev === undefined && w.matches(ev.entry))) w.send('DELETED', ev.entry);
    return;
  }
  if (now && before) w.send('MODIFIED', ev.entry);
  else if (now) w.send('ADDED', ev.entry);
  else if (before) w.send('DELETED', ev.entry);
}
