// One storage watch on /registry/ feeds every resource cache. Because it sees every write, its
// revision is exact: a consistent read ("list without resourceVersion") only has to wait until the
// manager has applied the storage's current revision, then it can be served from memory.
// Resource caches are created lazily on first use, so start-up lists nothing.
import type { StorageBackend, WatchEvent, WatchStream } from '../../storage/types.ts';
import { isStorageError } from '../../storage/types.ts';
import { REGISTRY_PREFIX, resourceOfKey } from '../storage-keys.ts';
import { decodeStored, type Entry } from './entry.ts';
import { Interner } from './interner.ts';
import { ResourceCache } from './resource-cache.ts';

/** The manager's own consumer never blocks, so its buffer may be large; overflow re-lists. */
const GLOBAL_WATCH_BUFFER = 1_000_000;
/** Page size when (re)loading a resource cache from storage. */
const LOAD_PAGE = 5_000;
/** Backoff before re-establishing a lost storage watch. */
const REWATCH_DELAY_MS = 200;

export interface CacheManagerOptions {
  historyCapacity?: number;
  onError?: (err: unknown) => void;
}

export class CacheManager {
  readonly #backend: StorageBackend;
  readonly #opts: CacheManagerOptions;
  readonly #caches = new Map<string, ResourceCache>();
  /** Shared by every resource cache: the same strings and field sets recur across kinds. */
  readonly #interner = new Interner();
  readonly #loading = new Map<string, Promise<ResourceCache>>();
  /** Events that arrive while a cache loads, applied after the load's snapshot. */
  readonly #pending = new Map<string, WatchEvent[]>();
  #stream: WatchStream | undefined;
  #rv = 0;
  #waiters: { rv: number; resolve: () => void }[] = [];
  #closed = false;
  #loop: Promise<void> | undefined;

  constructor(backend: StorageBackend, opts: CacheManagerOptions = {}) {
    this.#backend = backend;
    this.#opts = opts;
  }

  get revision(): number {
    return this.#rv;
  }

  async start(): Promise<void> {
    this.#rv = await this.#backend.currentRevision();
    this.#startWatch();
  }

  #startWatch(): void {
    const stream = this.#backend.watch(REGISTRY_PREFIX, this.#rv, { maxBufferedEvents: GLOBAL_WATCH_BUFFER });
    this.#stream = stream;
    this.#loop = this.#consume(stream);
  }

  async #consume(stream: WatchStream): Promise<void> {
    try {
      for await (const batch of stream) this.#applyBatch(batch);
    } catch (err) {
      if (this.#closed) return;
      this.#opts.onError?.(err);
      await new Promise((r) => setTimeout(r, REWATCH_DELAY_MS));
      if (this.#closed) return;
      if (isStorageError(err, 'Compacted')) {
        await this.#relistAll('storage watch compacted');
      }
      this.#startWatch();
    }
  }

  #applyBatch(batch: WatchEvent[]): void {
    for (const ev of batch) {
      const id = resourceOfKey(ev.key);
      if (id === undefined) continue;
      const pending = this.#pending.get(id);
      if (pending) {
        pending.push(ev);
        continue;
      }
      const cache = this.#caches.get(id);
      if (cache) applyEvent(cache, ev, this.#interner);
    }
    if (batch.length > 0) this.#advance(batch[batch.length - 1].revision);
  }

  #advance(rv: number): void {
    if (rv <= this.#rv) return;
    this.#rv = rv;
    for (const c of this.#caches.values()) c.advance(rv);
    if (this.#waiters.length) {
      const ready = this.#waiters.filter((w) => w.rv <= rv);
      this.#waiters = this.#waiters.filter((w) => w.rv > rv);
      for (const w of ready) w.resolve();
    }
  }

  /** Resolves true once every write up to rv is in the caches, false after the timeout. */
  waitFor(rv: number, timeoutMs: number): Promise<boolean> {
    if (rv <= this.#rv) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        rv,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Wait until the caches reflect the storage's current revision (a consistent read). */
  async sync(timeoutMs: number): Promise<boolean> {
    const rv = await this.#backend.currentRevision();
    return this.waitFor(rv, timeoutMs);
  }

  /** The cache for a resource prefix (e.g. id `core/pods`), loading it on first use. */
  get(id: string, prefix: string): Promise<ResourceCache> {
    const c = this.#caches.get(id);
    if (c) return Promise.resolve(c);
    let p = this.#loading.get(id);
    if (!p) {
      p = this.#load(id, prefix).finally(() => this.#loading.delete(id));
      this.#loading.set(id, p);
    }
    return p;
  }

  peek(id: string): ResourceCache | undefined {
    return this.#caches.get(id);
  }

  async #load(id: string, prefix: string): Promise<ResourceCache> {
    this.#pending.set(id, []);
    const cache = new ResourceCache(id, prefix, this.#opts.historyCapacity);
    try {
      const rv = this.#rv;
      const entries = await this.#listAt(prefix, rv);
      cache.reset(entries, rv);
      for (const ev of this.#pending.get(id) ?? [])
        if (ev.revision > rv) applyEvent(cache, ev, this.#interner);
      cache.advance(this.#rv);
      this.#caches.set(id, cache);
      return cache;
    } finally {
      this.#pending.delete(id);
    }
  }

  async #listAt(prefix: string, rv: number): Promise<Entry[]> {
    const entries: Entry[] = [];
    let startKey: string | undefined;
    for (;;) {
      const page = await this.#backend.list(prefix, {
        revision: rv || undefined,
        startKey,
        limit: LOAD_PAGE,
      });
      for (const kv of page.kvs)
        entries.push(decodeStored(kv.key, kv.value, kv.modRevision, { interner: this.#interner }));
      if (!page.more || page.kvs.length === 0) break;
      startKey = `${page.kvs[page.kvs.length - 1].key}\u0000`;
    }
    return entries;
  }

  async #relistAll(reason: string): Promise<void> {
    const rv = await this.#backend.currentRevision();
    for (const cache of this.#caches.values()) {
      cache.reset(await this.#listAt(cache.prefix, rv), rv, reason);
    }
    this.#rv = Math.max(this.#rv, rv);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream?.close();
    await this.#loop?.catch(() => {});
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
  }
}

function applyEvent(cache: ResourceCache, ev: WatchEvent, interner: Interner): void {
  // Decoded against the version it replaces, so the unchanged parts are held once (share-unchanged.ts).
  const entry = decodeStored(ev.key, ev.value, ev.revision, { prev: cache.items.get(ev.key), interner });
  if (ev.type === 'delete') cache.apply('DELETED', entry, ev.revision);
  else cache.apply(ev.type === 'create' ? 'ADDED' : 'MODIFIED', entry, ev.revision);
}
