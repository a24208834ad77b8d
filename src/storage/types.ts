// The storage contract every backend (sqlite, etcd, memory) implements, with etcd's model:
// one global, monotonically increasing revision; per-key create/mod revisions; compare-and-swap
// on the mod revision; watches that resume from a revision; compacted history below a watermark.
//
// Worked example (one store, empty at revision 1):
//   create /a        → rev 2   (a: create=2 mod=2)
//   create /b        → rev 3
//   update /a exp=2  → rev 4   (a: create=2 mod=4)
//   update /a exp=2  → Conflict, current = {mod 4}
//   delete /b        → rev 5
//   watch('/', 3)    → events at rev 4 (update /a) and 5 (delete /b): strictly AFTER 3,
//                      which is Kubernetes' meaning of "watch from resourceVersion 3".
//   compact(4)       → get/list/watch at a revision < 4 fail with Compacted{watermark 4}.

/** One stored key at one revision. `value` is opaque text (the apiserver stores JSON). */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this incarnation of the key. */
  createRevision: number;
  /** Revision of the last write to this key: the value for compare-and-swap. */
  modRevision: number;
  /** Lease (TTL) id the key is attached to, 0 when none. */
  lease?: number;
}

export interface ListOptions {
  /** Read at this revision (a consistent snapshot). Omitted or 0: the current revision. */
  revision?: number;
  /** Resume a paginated list at this key (inclusive); keys are ordered bytewise. */
  startKey?: string;
  /** At most this many items; `more` tells whether further keys exist. */
  limit?: number;
}

export interface ListResult {
  kvs: KeyValue[];
  /** The revision the list was served at; pass it back to continue at the same snapshot. */
  revision: number;
  more: boolean;
}

export interface WriteOptions {
  /** Attach the key to a lease that expires after this many seconds (Events use it). */
  ttlSeconds?: number;
}

export interface DeleteOptions {
  /** Only delete when the key's mod revision is still this (CAS). */
  expectedRevision?: number;
}

export interface DeleteResult {
  /** The last value the key had before the delete. */
  prev: KeyValue;
  /** The revision of the delete itself. */
  revision: number;
}

export type WatchEventType = 'create' | 'update' | 'delete';

export interface WatchEvent {
  type: WatchEventType;
  key: string;
  /** New value; for a delete, the value the key had before it was deleted. */
  value: string;
  /** The revision of this event (the write's mod revision, or the delete's revision). */
  revision: number;
  createRevision: number;
  /** Previous value and its mod revision, for updates and deletes. */
  prevValue?: string;
  prevRevision?: number;
}

export interface WatchOptions {
  /** Events queued for a consumer that does not read; beyond it the watch closes (never blocks writers). */
  maxBufferedEvents?: number;
  signal?: AbortSignal;
}

/**
 * A running watch: an async iterable of event batches (each batch in revision order, batches in
 * order). It ends normally after `close()` or an abort; it throws a StorageError when the backend
 * closes it (Compacted start revision, a consumer that fell behind, a lost connection).
 */
export interface WatchStream extends AsyncIterable<WatchEvent[]> {
  close(): void;
}

export interface StorageBackend {
  readonly name: string;
  get(key: string, opts?: { revision?: number }): Promise<{ kv: KeyValue | undefined; revision: number }>;
  /** Keys with the prefix, ordered bytewise. A prefix of a list always ends in '/'. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<{ count: number; revision: number }>;
  /** Throws StorageError KeyExists when the key exists. */
  create(key: string, value: string, opts?: WriteOptions): Promise<KeyValue>;
  /** CAS on the mod revision. Throws Conflict (carrying the current value) or NotFound. */
  update(key: string, value: string, expectedRevision: number, opts?: WriteOptions): Promise<KeyValue>;
  /** Throws NotFound when absent, Conflict when expectedRevision is given and stale. */
  delete(key: string, opts?: DeleteOptions): Promise<DeleteResult>;
  /** Events with revision > fromRevision (0: from now on). Below the watermark: throws Compacted when iterated. */
  watch(prefix: string, fromRevision: number, opts?: WatchOptions): WatchStream;
  currentRevision(): Promise<number>;
  /** Revisions below the returned watermark are gone. */
  compact(revision: number): Promise<{ watermark: number }>;
  close(): Promise<void>;
}

export type StorageErrorKind = 'KeyExists' | 'Conflict' | 'NotFound' | 'Compacted' | 'Unavailable';

/** The closed set of storage failures; the apiserver maps each to a Kubernetes Status once. */
export class StorageError extends Error {
  readonly kind: StorageErrorKind;
  readonly key: string | undefined;
  /** For Conflict: the value as it is now (undefined when the key is gone). */
  readonly current: KeyValue | undefined;
  /** For Compacted: the oldest revision still readable. */
  readonly watermark: number | undefined;

  constructor(
    kind: StorageErrorKind,
    message: string,
    opts: { key?: string; current?: KeyValue; watermark?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'StorageError';
    this.kind = kind;
    this.key = opts.key;
    this.current = opts.current;
    this.watermark = opts.watermark;
  }
}

export const isStorageError = (err: unknown, kind?: StorageErrorKind): err is StorageError =>
  err instanceof StorageError && (kind === undefined || err.kind === kind);
