// The StorageBackend of the revision log, over any LogDialect (SQLite, memory). It owns what the
// dialect does not: compare-and-swap, the revision counter, group commit, the watch fan-out,
// TTL expiry and scheduled compaction.
//
//   write ─► GroupCommit (one txn per event-loop turn) ─► COMMIT ─► revision = last id
//                                                                 ├─► Fanout ─► watch queues
//                                                                 └─► expiry queue (TTL rows)
//   watch(prefix, R) ─► subscribe + replay rows (R, head] ─► live
//
// CAS is a read of the key's newest row plus an insert in the same synchronous step, so nothing
// can interleave in this process; UNIQUE(name, prev_revision) turns any writer that slipped past
// the check (a bug, another process) into a failed insert instead of a lost update.
import {
  backendClosed,
  compacted,
  futureRevision,
  keyExists,
  keyNotFound,
  revisionConflict,
} from '../errors.ts';
import { compareKeys, prefixEnd, rangeStart } from '../keys.ts';
import { ExpiryQueue } from '../ttl/expiry-queue.ts';
import {
  type DeleteOptions,
  type DeleteResult,
  isStorageError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type StorageBackend,
  type WatchOptions,
  type WatchStream,
  type WriteOptions,
} from '../types.ts';
import { Fanout } from '../watch/fanout.ts';
import { replayWatch, type WatchSource } from '../watch/replay-watch.ts';
import type { WatchQueue } from '../watch/watch-queue.ts';
import { Compactor } from './compaction.ts';
import type { LogDialect, NewRow, Row } from './dialect.ts';
import { GroupCommit } from './group-commit.ts';
import { createRevisionOf, rowToEvent, rowToKeyValue } from './row.ts';

/** Like the apiserver's --etcd-compaction-interval default. */
export const DEFAULT_COMPACT_INTERVAL_MS = 5 * 60_000;
/**
 * Revisions of history kept behind the head by scheduled compaction: a watcher may fall this far
 * behind (or be down this long) and still resume without a re-list. kine keeps 1,000; history
 * rows are small, so keep more.
 */
export const DEFAULT_COMPACT_KEEP_REVISIONS = 10_000;
/** Retry delay for a TTL delete that failed for a reason other than losing its CAS. */
const EXPIRY_RETRY_MS = 1_000;
const NO_LIMIT = Number.MAX_SAFE_INTEGER;
const MS_PER_SECOND = 1_000;

export interface LogBackendOptions {
  /** Scheduled compaction period; 0 disables it. */
  compactIntervalMs?: number;
  /** Revisions of history scheduled compaction keeps. */
  compactKeepRevisions?: number;
  /** Runs after every compaction (SQLite: WAL checkpoint and incremental vacuum). */
  afterCompaction?: () => Promise<void> | void;
  /** Runs once, after the dialect is closed. */
  onClose?: () => void;
  onError?: (op: string, err: unknown) => void;
  /** Clock for TTLs (unix ms). */
  now?: () => number;
}

export class LogBackend implements StorageBackend {
  readonly name: string;
  readonly #d: LogDialect;
  readonly #opts: LogBackendOptions;
  readonly #fanout = new Fanout();
  readonly #commits: GroupCommit;
  readonly #compactor: Compactor;
  readonly #expiry: ExpiryQueue;
  readonly #watches = new Set<WatchQueue>();
  readonly #now: () => number;
  #rev: number;
  #compactTimer: NodeJS.Timeout | undefined;
  #closed: Promise<void> | undefined;

  constructor(dialect: LogDialect, opts: LogBackendOptions = {}) {
    this.name = dialect.name;
    this.#d = dialect;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#rev = dialect.currentRevision();
    this.#commits = new GroupCommit(dialect, (rows) => this.#committed(rows));
    this.#compactor = new Compactor(dialect);
    this.#expiry = new ExpiryQueue((e) => this.#expire(e.key, e.revision));
    for (const k of dialect.expiring())
      this.#expiry.add({ key: k.name, revision: k.id, expiresAt: k.expiresAt });
    const interval = opts.compactIntervalMs ?? DEFAULT_COMPACT_INTERVAL_MS;
    if (interval > 0) {
      this.#compactTimer = setInterval(() => void this.#scheduledCompaction(), interval);
      this.#compactTimer.unref();
    }
  }

  /** What watches read: the committed head, the watermark and history rows. */
  readonly #source: WatchSource = {
    fanout: this.#fanout,
    revision: () => this.#rev,
    watermark: () => this.#d.watermark(),
    history: (prefix, after, upto, limit) => {
      const rows = this.#d.history(prefix, prefixEnd(prefix), after, upto, limit);
      return {
        events: rows.map(rowToEvent),
        readUpTo: rows.length < limit ? upto : rows[rows.length - 1].id,
      };
    },
  };

  #checkOpen(): void {
    if (this.#closed) throw backendClosed(this.name);
  }

  /** The revision to read at: the head, or a requested one that must be inside [watermark, head]. */
  #readRevision(requested: number | undefined): number {
    this.#checkOpen();
    if (!requested) return this.#rev;
    if (requested > this.#rev) throw futureRevision(requested, this.#rev);
    const watermark = this.#d.watermark();
    if (requested < watermark) throw compacted(requested, watermark);
    return requested;
  }

  async get(
    key: string,
    opts: { revision?: number } = {},
  ): Promise<{ kv: KeyValue | undefined; revision: number }> {
    const revision = this.#readRevision(opts.revision);
    const row = this.#d.latest(key, revision);
    return { kv: row && !row.deleted ? rowToKeyValue(row) : undefined, revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const revision = this.#readRevision(opts.revision);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const start = rangeStart(prefix, opts.startKey);
    const end = prefixEnd(prefix);
    if (end !== undefined && compareKeys(start, end) >= 0) return { kvs: [], revision, more: false };
    const rows = this.#d.list(start, end, revision, limit ? limit + 1 : 0);
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { kvs: rows.map(rowToKeyValue), revision, more };
  }

  async count(prefix: string): Promise<{ count: number; revision: number }> {
    const revision = this.#readRevision(undefined);
    return { count: this.#d.count(prefix, prefixEnd(prefix), revision), revision };
  }

  async create(key: string, value: string, opts: WriteOptions = {}): Promise<KeyValue> {
    this.#checkOpen();
    const row = await this.#commits.submit(() => {
      const cur = this.#d.latest(key, NO_LIMIT);
      if (cur && !cur.deleted) throw keyExists(key);
      return this.#insert(key, {
        ...this.#lease(opts),
        name: key,
        created: true,
        deleted: false,
        createRevision: 0,
        // After a delete, the create supersedes the tombstone, keeping (name, prev_revision) unique.
        prevRevision: cur ? cur.id : 0,
        value,
      });
    });
    return rowToKeyValue(row);
  }

  async update(
    key: string,
    value: string,
    expectedRevision: number,
    opts: WriteOptions = {},
  ): Promise<KeyValue> {
    this.#checkOpen();
    const row = await this.#commits.submit(() => {
      const cur = this.#current(key, expectedRevision);
      const inserted = this.#insert(key, {
        ...this.#lease(opts),
        name: key,
        created: false,
        deleted: false,
        createRevision: createRevisionOf(cur),
        prevRevision: cur.id,
        value,
      });
      inserted.prevValue = cur.value;
      return inserted;
    });
    return rowToKeyValue(row);
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    this.#checkOpen();
    let prev: Row | undefined;
    const row = await this.#commits.submit(() => {
      const cur = this.#current(key, opts.expectedRevision);
      prev = cur;
      return this.#insert(key, {
        name: key,
        created: false,
        deleted: true,
        createRevision: createRevisionOf(cur),
        prevRevision: cur.id,
        lease: 0,
        expiresAt: 0,
        value: cur.value,
      });
    });
    return { prev: rowToKeyValue(prev!), revision: row.id };
  }

  /** The key's live newest row, checked against the expected mod revision when one is given. */
  #current(key: string, expected: number | undefined): Row {
    const cur = this.#d.latest(key, NO_LIMIT);
    if (!cur || cur.deleted) throw keyNotFound(key);
    if (expected !== undefined && cur.id !== expected)
      throw revisionConflict(key, expected, rowToKeyValue(cur));
    return cur;
  }

  #insert(key: string, row: NewRow): Row {
    const id = this.#d.insert(row);
    if (id === undefined) {
      // UNIQUE(name, prev_revision) refused: someone else superseded the row we read.
      const cur = this.#d.latest(key, NO_LIMIT);
      throw revisionConflict(key, row.prevRevision, cur && !cur.deleted ? rowToKeyValue(cur) : undefined);
    }
    return { id, ...row };
  }

  #lease(opts: WriteOptions): { lease: number; expiresAt: number } {
    const ttl = opts.ttlSeconds && opts.ttlSeconds > 0 ? Math.ceil(opts.ttlSeconds) : 0;
    return { lease: ttl, expiresAt: ttl ? this.#now() + ttl * MS_PER_SECOND : 0 };
  }

  /** After COMMIT: advance the head, publish, schedule expiries. Runs before any writer hears back. */
  #committed(rows: Row[]): void {
    this.#rev = Math.max(this.#rev, rows[rows.length - 1].id);
    this.#fanout.publish(rows.map(rowToEvent));
    for (const r of rows) {
      if (r.expiresAt > 0) this.#expiry.add({ key: r.name, revision: r.id, expiresAt: r.expiresAt });
    }
  }

  async #expire(key: string, revision: number): Promise<void> {
    if (this.#closed) return;
    try {
      await this.delete(key, { expectedRevision: revision });
    } catch (err) {
      // Lost the CAS (rewritten since, or already deleted): that write owns the key's lifetime now.
      if (isStorageError(err, 'Conflict') || isStorageError(err, 'NotFound') || this.#closed) return;
      this.#opts.onError?.('expire', err);
      this.#expiry.add({ key, revision, expiresAt: this.#now() + EXPIRY_RETRY_MS });
    }
  }

  watch(prefix: string, fromRevision: number, opts: WatchOptions = {}): WatchStream {
    const stream = replayWatch(this.#source, prefix, fromRevision, opts);
    if (this.#closed) stream.fail(backendClosed(this.name));
    if (!stream.closed) {
      this.#watches.add(stream);
      stream.onClose(() => this.#watches.delete(stream));
    }
    return stream;
  }

  /** Watchers currently attached (tests and metrics). */
  get watcherCount(): number {
    return this.#fanout.subscribers;
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#rev;
  }

  async compact(revision: number): Promise<{ watermark: number }> {
    this.#checkOpen();
    if (revision > this.#rev) throw futureRevision(revision, this.#rev);
    const res = await this.#compactor.compact(revision);
    await this.#opts.afterCompaction?.();
    return { watermark: res.watermark };
  }

  async #scheduledCompaction(): Promise<void> {
    const target = this.#rev - (this.#opts.compactKeepRevisions ?? DEFAULT_COMPACT_KEEP_REVISIONS);
    if (this.#closed || target <= this.#d.watermark()) return;
    try {
      await this.compact(target);
    } catch (err) {
      this.#opts.onError?.('compact', err);
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    clearInterval(this.#compactTimer);
    await this.#expiry.stop();
    await this.#commits.idle();
    await this.#compactor.stop();
    const err = backendClosed(this.name);
    for (const w of [...this.#watches]) w.fail(err);
    this.#d.close();
    this.#opts.onClose?.();
  }
}
