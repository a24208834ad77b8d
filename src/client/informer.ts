// A shared informer: client-go's reflector + indexer + handler fan-out for one resource.
//
//   list (pages of 500) ──replace──► Indexer ──► handlers: onAdd(obj, true) / onUpdate / onDelete(tombstone)
//        │ list resourceVersion
//        ▼
//   watch ?resourceVersion=<last seen>&allowWatchBookmarks=true&timeoutSeconds=300..600
//        │ ADDED/MODIFIED/DELETED ──► Indexer ──► handlers
//        │ BOOKMARK               ──► last seen resourceVersion only
//        │ ends (timeout)         ──► re-watch from the last seen version: nothing replayed twice
//        │ connection lost        ──► backoff, re-watch from the last seen version
//        └ 410 Gone / ERROR 410   ──► re-list; objects gone meanwhile are deleted from the cache and
//                                     handed to onDelete as DeletedFinalStateUnknown (a tombstone)
//
// Guarantees handlers can rely on: the cache is updated before handlers run; handlers run in event
// order, one at a time; an exception in one handler is logged and does not stop the others.
// Cached objects are shared and deep-frozen by default (see `freeze`): never mutate them.
import { ApiError, type Status } from '../api/errors.ts';
import type { KObject } from '../api/object.ts';
import { Backoff, type BackoffOptions } from '../util/backoff.ts';
import { type Clock, realClock, type Timer } from '../util/clock.ts';
import { type Disposable, toDisposable } from '../util/disposable.ts';
import type { Logger } from '../util/log.ts';
import { isGone, statusToError } from './errors.ts';
import { Indexer, type IndexFunc, objectKey } from './indexer.ts';
import { Lister } from './lister.ts';
import type { LabelSelectorInput, ListOptions, WatchOptions } from './options.ts';
import { DEFAULT_PAGE_SIZE, type ObjectList } from './resource-client.ts';
import type { Watch } from './watch.ts';

/** What an informer needs from a resource: ResourceClient satisfies it. */
export interface ListerWatcher<T extends KObject = KObject> {
  list(opts: ListOptions): Promise<ObjectList<T>>;
  watch(opts: WatchOptions): Promise<Watch<T>>;
}

/**
 * An object deleted while the informer was not watching: found missing at a re-list. `obj` is the
 * last state the cache had, which may be stale (client-go's DeletedFinalStateUnknown).
 */
export class DeletedFinalStateUnknown<T extends KObject = KObject> {
  readonly key: string;
  readonly obj: T;

  constructor(key: string, obj: T) {
    this.key = key;
    this.obj = obj;
  }
}

export interface EventHandler<T extends KObject = KObject> {
  /** isInInitialList: the object came from the first list (or the handler joined late). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called with old === new on re-lists and periodic resyncs (level-triggered controllers). */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface InformerOptions<T extends KObject = KObject> {
  labelSelector?: LabelSelectorInput;
  fieldSelector?: string | Record<string, string>;
  /** Every this many ms, each cached object is handed to onUpdate(obj, obj); 0 (default): never. */
  resyncMs?: number;
  indexers?: Record<string, IndexFunc<T>>;
  /**
   * Deep-freeze cached objects (default true). It costs about half a JSON.parse once per received
   * object (measured ~5 µs for a 2 KB pod) and turns a mutation of shared cache state — a bug that
   * otherwise corrupts every other reader silently — into an immediate TypeError.
   */
  freeze?: boolean;
  /**
   * Applied to every object before it is cached and handed out (client-go's SetTransform), e.g.
   * stripManagedFields for a cache that never reads them.
   */
  transform?: (obj: T) => T;
  /** List page size (default 500, as client-go). */
  pageSize?: number;
  clock?: Clock;
  /** Delay before re-listing or re-watching after a failure. */
  backoff?: BackoffOptions;
  log?: Logger;
  /** Name in logs (default: none). */
  name?: string;
  /** Seconds the server keeps one watch open; default random in [300, 600) as client-go. */
  watchTimeoutSeconds?: () => number;
}

/** client-go's minWatchTimeout: watches last 5–10 minutes so load spreads across re-watches. */
const MIN_WATCH_TIMEOUT_S = 300;
const randomWatchTimeout = (): number => Math.floor(MIN_WATCH_TIMEOUT_S * (1 + Math.random()));

/** A watch that ends sooner than this without a single event counts as a failure (backoff). */
const SHORT_WATCH_MS = 1000;

/** Why a list-and-watch cycle ended: the cycle itself decides whether a re-list is needed. */
const RELIST = Symbol('relist');

export class SharedInformer<T extends KObject = KObject> implements Disposable {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  readonly #lw: ListerWatcher<T>;
  readonly #opts: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #handlers = new Set<EventHandler<T>>();
  readonly #abort = new AbortController();
  #started = false;
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #lastRv = '';
  #loop: Promise<void> | undefined;
  #resyncTimer: Timer | undefined;

  constructor(lw: ListerWatcher<T>, opts: InformerOptions<T> = {}) {
    this.#lw = lw;
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.indexer = new Indexer<T>(opts.indexers);
    this.lister = new Lister<T>(this.indexer);
  }

  /** The resourceVersion of the last list, event or bookmark applied. */
  get lastSyncResourceVersion(): string {
    return this.#lastRv;
  }

  get started(): boolean {
    return this.#started;
  }

  /** True once the first list has been applied and handed to the handlers. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once synced, false if the informer (or signal) stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (this.#abort.signal.aborted || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        this.#abort.signal.removeEventListener('abort', done);
        resolve(this.#synced);
      };
      this.#syncWaiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
      this.#abort.signal.addEventListener('abort', done, { once: true });
    });
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.indexer.addIndexers(indexers);
  }

  /**
   * Registers handlers. Joining a running informer, they first get onAdd(obj, true) for every
   * cached object. Disposing the registration removes them.
   */
  addEventHandler(h: EventHandler<T>): Disposable {
    this.#handlers.add(h);
    if (this.#synced) for (const obj of this.indexer.list()) this.#call('onAdd', () => h.onAdd?.(obj, true));
    return toDisposable(() => {
      this.#handlers.delete(h);
    });
  }

  /** Starts listing and watching in the background; idempotent. */
  start(): void {
    if (this.#started || this.#abort.signal.aborted) return;
    this.#started = true;
    this.#loop = this.#run();
    const every = this.#opts.resyncMs ?? 0;
    if (every > 0) {
      const tick = (): void => {
        this.#resync();
        this.#resyncTimer = this.#clock.setTimer(every, tick);
      };
      this.#resyncTimer = this.#clock.setTimer(every, tick);
    }
  }

  /** Stops the watch and the loop; resolves once no more handler will be called. */
  async dispose(): Promise<void> {
    this.#abort.abort();
    this.#resyncTimer?.cancel();
    this.#resyncTimer = undefined;
    await this.#loop;
  }

  stop(): Promise<void> {
    return this.dispose();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const backoff = new Backoff({ clock: this.#clock, ...this.#opts.backoff });
    while (!signal.aborted) {
      try {
        await this.#listAndWatch(backoff);
        continue; // a 410: re-list at once
      } catch (err) {
        if (signal.aborted) break;
        this.#opts.log?.warn('list and watch failed', { informer: this.#opts.name, err: String(err) });
      }
      await this.#clock.sleep(backoff.next(), signal);
    }
  }

  /** One list followed by watches until a re-list is needed (returns) or a list fails (throws). */
  async #listAndWatch(backoff: Backoff): Promise<void> {
    const signal = this.#abort.signal;
    const list = await this.#list();
    if (signal.aborted) return;
    this.#replace(list.items, list.metadata.resourceVersion ?? '');
    backoff.reset();
    while (!signal.aborted) {
      const outcome = await this.#watchOnce();
      if (outcome === RELIST) return;
      if (outcome === 'ended') {
        backoff.reset();
        continue;
      }
      // Connection trouble: wait, then resume from the last seen version.
      this.#opts.log?.debug('watch interrupted', { informer: this.#opts.name, err: String(outcome.error) });
      await this.#clock.sleep(backoff.next(), signal);
    }
  }

  async #list(): Promise<ObjectList<T>> {
    const signal = this.#abort.signal;
    const base: ListOptions = {
      labelSelector: this.#opts.labelSelector,
      fieldSelector: this.#opts.fieldSelector,
      signal,
    };
    // A consistent list (no resourceVersion): the cache never goes back in time across re-lists.
    const first = await this.#lw.list({ ...base, limit: this.#opts.pageSize ?? DEFAULT_PAGE_SIZE });
    const items = [...first.items];
    let cont = first.metadata.continue;
    try {
      while (cont) {
        const page = await this.#lw.list({
          ...base,
          limit: this.#opts.pageSize ?? DEFAULT_PAGE_SIZE,
          continue: cont,
        });
        items.push(...page.items);
        cont = page.metadata.continue;
      }
    } catch (err) {
      // The snapshot behind the continue token was compacted: fall back to one unpaginated list.
      if (!isGone(err)) throw err;
      const all = await this.#lw.list(base);
      return { ...all, items: withKind(all.items, all) };
    }
    return { ...first, items: withKind(items, first) };
  }

  /** One watch, consumed to its end: 'ended' (closed by the server), a re-list, or an error. */
  async #watchOnce(): Promise<'ended' | typeof RELIST | { error: unknown }> {
    const signal = this.#abort.signal;
    let w: Watch<T>;
    try {
      w = await this.#lw.watch({
        labelSelector: this.#opts.labelSelector,
        fieldSelector: this.#opts.fieldSelector,
        resourceVersion: this.#lastRv,
        allowWatchBookmarks: true,
        timeoutSeconds: (this.#opts.watchTimeoutSeconds ?? randomWatchTimeout)(),
        signal,
      });
    } catch (err) {
      if (isGone(err)) return RELIST;
      if (isRetriable(err)) return { error: err };
      throw err;
    }
    // Stop the watch ourselves on dispose: a ListerWatcher need not honour the signal once open.
    const stopWatch = (): void => w.stop();
    if (signal.aborted) stopWatch();
    else signal.addEventListener('abort', stopWatch, { once: true });
    const openedAt = this.#clock.now();
    let events = 0;
    try {
      for await (const ev of w) {
        if (signal.aborted) break;
        events++;
        if (ev.type === 'ERROR') {
          const err = statusToError(ev.object as Status);
          if (isGone(err)) {
            this.#opts.log?.info('watch expired, re-listing', {
              informer: this.#opts.name,
              msg: err.message,
            });
            return RELIST;
          }
          throw err;
        }
        this.#apply(ev.type, ev.object);
      }
      // A server that closes watches at once would make re-watching a busy loop (client-go's guard).
      if (!signal.aborted && events === 0 && this.#clock.now() - openedAt < SHORT_WATCH_MS) {
        return { error: new Error('very short watch: the server closed it at once without events') };
      }
      return 'ended';
    } catch (err) {
      if (signal.aborted) return 'ended';
      if (err instanceof ApiError) throw err;
      return { error: err };
    } finally {
      signal.removeEventListener('abort', stopWatch);
      w.stop();
    }
  }

  #apply(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', raw: T): void {
    const rv = raw.metadata?.resourceVersion;
    if (type === 'BOOKMARK') {
      if (rv) this.#lastRv = rv;
      return;
    }
    const obj = this.#prepare(raw);
    const key = objectKey(obj);
    if (type === 'DELETED') {
      this.indexer.delete(key);
      if (rv) this.#lastRv = rv;
      this.#emit('onDelete', (h) => h.onDelete?.(obj));
      return;
    }
    const old = this.indexer.set(obj);
    if (rv) this.#lastRv = rv;
    if (old) this.#emit('onUpdate', (h) => h.onUpdate?.(old, obj));
    else this.#emit('onAdd', (h) => h.onAdd?.(obj, false));
  }

  /** Applies a full list: adds and updates for listed objects, tombstones for vanished ones. */
  #replace(items: T[], rv: string): void {
    const initial = !this.#synced;
    const seen = new Set<string>();
    const prepared = items.map((i) => this.#prepare(i));
    const deltas: (() => void)[] = [];
    for (const obj of prepared) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.indexer.get(key);
      if (old) deltas.push(() => this.#emit('onUpdate', (h) => h.onUpdate?.(old, obj)));
      else deltas.push(() => this.#emit('onAdd', (h) => h.onAdd?.(obj, initial)));
    }
    const gone: DeletedFinalStateUnknown<T>[] = [];
    for (const key of this.indexer.keys()) {
      if (!seen.has(key)) gone.push(new DeletedFinalStateUnknown(key, this.indexer.get(key)!));
    }
    this.indexer.replace(prepared);
    this.#lastRv = rv;
    for (const d of deltas) d();
    for (const t of gone) this.#emit('onDelete', (h) => h.onDelete?.(t));
    if (!this.#synced) {
      this.#synced = true;
      const waiters = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  #resync(): void {
    if (!this.#synced || this.#abort.signal.aborted) return;
    for (const obj of this.indexer.list()) this.#emit('onUpdate', (h) => h.onUpdate?.(obj, obj));
  }

  #prepare(received: T): T {
    const obj = this.#opts.transform ? this.#opts.transform(received) : received;
    // Interning is only safe for frozen objects: an unfrozen cache is the caller's to mutate.
    return this.#opts.freeze === false ? obj : deepFreeze(internRepeated(obj));
  }

  #emit(what: string, fn: (h: EventHandler<T>) => void): void {
    for (const h of this.#handlers) this.#call(what, () => fn(h));
  }

  #call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#opts.log?.error('event handler failed', {
        informer: this.#opts.name,
        handler: what,
        err: err instanceof Error ? err.stack : String(err),
      });
    }
  }
}

/** Connection failures, throttling and server unavailability: retry the watch, keep the cache. */
const isRetriable = (err: unknown): boolean =>
  !(err instanceof ApiError) || err.code === 429 || err.code >= 500;

/** List items may omit apiVersion/kind (the list carries them once); cached objects always have them. */
function withKind<T extends KObject>(items: T[], list: ObjectList<T>): T[] {
  const kind = list.kind?.endsWith('List') ? list.kind.slice(0, -'List'.length) : undefined;
  if (!kind || !list.apiVersion) return items;
  return items.map((i) => (i.kind && i.apiVersion ? i : { ...i, apiVersion: list.apiVersion, kind }));
}

/**
 * Distinct values remembered per table across this process's informers. Past it a table starts
 * over: common values repeat, so they come straight back, and the tables stay a few MB.
 */
const MAX_INTERNED = 16_384;
/** Longer strings are rarely repeated (certificates, last-applied configurations). */
const MAX_INTERNED_STRING = 128;
/** Nesting deeper than this is left as decoded, bounding the walk. */
const MAX_INTERN_DEPTH = 32;
const FIELDS_V1 = 'fieldsV1';
const internedFields = new Map<string, unknown>();
const internedStrings = new Map<string, string>();

/**
 * One copy of each repeated value across cached objects (the API server's watch cache does the
 * same): managedFields `fieldsV1` trees — a third of a typical pod's JSON and dozens of small
 * objects decoded, yet the same for every object a manager writes the same way — and short strings
 * (images, default paths, condition reasons, timestamps). Measured: a cached pod from ~5.4 KB to
 * ~3 KB. Shared values are frozen with the rest, so sharing is safe. Modifies `obj` in place.
 */
function internRepeated<T extends KObject>(obj: T): T {
  const managed = obj.metadata?.managedFields;
  if (Array.isArray(managed) && !Object.isFrozen(managed)) {
    for (const m of managed as { fieldsV1?: unknown }[]) {
      if (typeof m !== 'object' || m === null || Object.isFrozen(m)) continue;
      if (typeof m.fieldsV1 !== 'object' || m.fieldsV1 === null) continue;
      const key = JSON.stringify(m.fieldsV1);
      const seen = internedFields.get(key);
      if (seen !== undefined) {
        m.fieldsV1 = seen;
        continue;
      }
      if (internedFields.size >= MAX_INTERNED) internedFields.clear();
      internedFields.set(key, m.fieldsV1);
    }
  }
  internStrings(obj, 0);
  return obj;
}

function internString(s: string): string {
  if (s.length > MAX_INTERNED_STRING) return s;
  const seen = internedStrings.get(s);
  if (seen !== undefined) return seen;
  if (internedStrings.size >= MAX_INTERNED) internedStrings.clear();
  internedStrings.set(s, s);
  return s;
}

function internStrings(node: object, depth: number): void {
  // Frozen subtrees are already cached (and interned); fieldsV1 trees hold no strings.
  if (depth > MAX_INTERN_DEPTH || Object.isFrozen(node)) return;
  const o = node as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (typeof v === 'string') o[k] = internString(v);
    else if (typeof v === 'object' && v !== null && k !== FIELDS_V1) internStrings(v, depth + 1);
  }
}

/** Freezes an object graph; already-frozen subtrees are skipped (shared parts are frozen once). */
/**
 * Drops metadata.managedFields (client-go's TransformStripManagedFields): in a cache that never
 * reads them they are most of a pod's objects (one empty object per managed leaf field).
 */
export function stripManagedFields<T extends KObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export function deepFreeze<T>(obj: T): T {
  if (obj === null || typeof obj !== 'object' || Object.isFrozen(obj)) return obj;
  Object.freeze(obj);
  for (const v of Object.values(obj as object)) deepFreeze(v);
  return obj;
}
