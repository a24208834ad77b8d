// The etcd v3 backend (HA: several servers share one etcd cluster). A thin adapter: every write
// is one transaction that compares and acts in a single round trip.
//
//   create      if create_revision(key) == 0      then put            else range(key) → KeyExists
//   update      if mod_revision(key) == expected  then put (prev_kv)  else range(key) → Conflict|NotFound
//   delete      [if mod_revision(key) == expected] then delete (prev_kv) else range(key)
//   list        range [max(prefix, startKey), prefixEnd) at revision, limit → more
//   watch R     start_revision R+1, prev_kv (see etcd-watch.ts)
//   TTL         a shared lease per TTL (leases.ts); expiry is etcd's own
//   compaction  compact() → etcd Compact; scheduled, coordinated between servers (compactor.ts)
//
// Transient failures (member down, leader election) are retried against any endpoint for up to
// `retryTimeoutMs`. A write retried after an ambiguous failure may find its own earlier attempt
// applied: a create that finds exactly its value at version 1, or an update that finds exactly its
// value, is taken as that attempt's success.
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3, type IKeyValue, type IResponseHeader } from 'etcd3';
import { backendClosed, futureRevision, keyExists, keyNotFound, revisionConflict } from '../errors.ts';
import { compareKeys, prefixEnd, rangeStart } from '../keys.ts';
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
import type { WatchQueue } from '../watch/watch-queue.ts';
import { EtcdCompactor } from './compactor.ts';
import { fromEtcdError, isFutureRevisionError } from './etcd-errors.ts';
import { etcdWatch } from './etcd-watch.ts';
import { LeaseManager } from './leases.ts';

/** How long one unary call may take before it counts as failed (and is retried elsewhere). */
const REQUEST_TIMEOUT_MS = 5_000;
/** Total time to keep retrying a transient failure (an election takes ~1–2 s). */
export const DEFAULT_RETRY_TIMEOUT_MS = 15_000;
const RETRY_INITIAL_DELAY_MS = 50;
const RETRY_MAX_DELAY_MS = 1_000;
/** Lists of thousands of objects exceed gRPC's 4 MB default message size. */
const MAX_MESSAGE_BYTES = 512 * 1024 * 1024;
const DIAL_TIMEOUT_MS = 5_000;
/** etcd's range_end for "every key ≥ key". */
const ALL_KEYS_END = Buffer.from([0]);
const LEASE_NOT_FOUND = 'requested lease not found';

export interface EtcdBackendOptions {
  retryTimeoutMs?: number;
  /** Scheduled, cluster-wide coordinated compaction (compactor.ts); 0 disables it. */
  compactIntervalMs?: number;
  onError?: (op: string, err: unknown) => void;
}

/** Like the apiserver's --etcd-compaction-interval default. */
export const DEFAULT_ETCD_COMPACT_INTERVAL_MS = 5 * 60_000;

const toKeyValue = (kv: IKeyValue): KeyValue => {
  const out: KeyValue = {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
  if (kv.lease && kv.lease !== '0') out.lease = Number(kv.lease);
  return out;
};

const revisionOf = (h: IResponseHeader): number => Number(h.revision);

/** 'http://a:2379' or 'a:2379' → etcd3 host URL. */
export const normalizeEndpoint = (e: string): string => (/^https?:\/\//.test(e) ? e : `http://${e}`);

export class EtcdBackend implements StorageBackend {
  readonly name = 'etcd';
  readonly endpoints: string[];
  readonly #client: Etcd3;
  readonly #leases: LeaseManager;
  readonly #retryTimeoutMs: number;
  readonly #watches = new Set<WatchQueue>();
  readonly #compactor: EtcdCompactor | undefined;
  /** Highest compaction this client knows of (its own compact calls, watch answers). */
  #watermark = 0;
  #closed = false;

  constructor(endpoints: string[], opts: EtcdBackendOptions = {}) {
    this.endpoints = endpoints.map(normalizeEndpoint);
    this.#retryTimeoutMs = opts.retryTimeoutMs ?? DEFAULT_RETRY_TIMEOUT_MS;
    this.#client = new Etcd3({
      hosts: this.endpoints,
      dialTimeout: DIAL_TIMEOUT_MS,
      grpcOptions: {
        'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
        'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + REQUEST_TIMEOUT_MS }),
    });
    this.#leases = new LeaseManager(this.#client);
    const interval = opts.compactIntervalMs ?? DEFAULT_ETCD_COMPACT_INTERVAL_MS;
    if (interval > 0) {
      this.#compactor = new EtcdCompactor(this.#client, interval, {
        onCompacted: (rev) => {
          this.#watermark = Math.max(this.#watermark, rev);
        },
        onError: (err) => opts.onError?.('compact', fromEtcdError(err)),
      });
    }
  }

  /** Runs an etcd call, retrying transient failures until the retry budget is spent. */
  async #call<T>(fn: (attempt: number) => Promise<T>, ctx: { revision?: number } = {}): Promise<T> {
    const deadline = Date.now() + this.#retryTimeoutMs;
    let delay = RETRY_INITIAL_DELAY_MS;
    for (let attempt = 0; ; attempt++) {
      if (this.#closed)
        throw fromEtcdError(new Error('No connection established: the etcd backend is closed'));
      try {
        return await fn(attempt);
      } catch (err) {
        const mapped = fromEtcdError(err, { ...ctx, watermark: this.#watermark });
        const retryable =
          isStorageError(mapped, 'Unavailable') && !isFutureRevisionError(mapped) && !this.#closed;
        if (!retryable || Date.now() + delay > deadline) throw mapped;
        await sleep(delay);
        delay = Math.min(delay * 2, RETRY_MAX_DELAY_MS);
      }
    }
  }

  async #head(): Promise<number> {
    const res = await this.#client.kv.range({ key: ALL_KEYS_END, count_only: true });
    return revisionOf(res.header);
  }

  /** A requested read revision must not be in the future; etcd says so only with an ambiguous code. */
  async #range(req: Parameters<Etcd3['kv']['range']>[0], revision: number | undefined) {
    return this.#call(
      async () => {
        try {
          return await this.#client.kv.range({ ...req, revision: revision || 0 });
        } catch (err) {
          const mapped = fromEtcdError(err, { revision, watermark: this.#watermark });
          if (isFutureRevisionError(mapped)) throw futureRevision(revision ?? 0, await this.#head());
          throw mapped;
        }
      },
      { revision },
    );
  }

  async get(
    key: string,
    opts: { revision?: number } = {},
  ): Promise<{ kv: KeyValue | undefined; revision: number }> {
    const res = await this.#range({ key: Buffer.from(key) }, opts.revision);
    return {
      kv: res.kvs.length > 0 ? toKeyValue(res.kvs[0]) : undefined,
      revision: opts.revision || revisionOf(res.header),
    };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = rangeStart(prefix, opts.startKey);
    const end = prefixEnd(prefix);
    if (end !== undefined && compareKeys(start, end) >= 0) {
      return { kvs: [], revision: opts.revision || (await this.currentRevision()), more: false };
    }
    const res = await this.#range(
      {
        key: Buffer.from(start),
        range_end: end === undefined ? ALL_KEYS_END : Buffer.from(end),
        limit: opts.limit && opts.limit > 0 ? opts.limit : 0,
      },
      opts.revision,
    );
    // With a revision, the header carries the current revision; the list was served at the requested one.
    return {
      kvs: res.kvs.map(toKeyValue),
      revision: opts.revision || revisionOf(res.header),
      more: res.more,
    };
  }

  async count(prefix: string): Promise<{ count: number; revision: number }> {
    const end = prefixEnd(prefix);
    const res = await this.#range(
      {
        key: Buffer.from(prefix),
        range_end: end === undefined ? ALL_KEYS_END : Buffer.from(end),
        count_only: true,
      },
      undefined,
    );
    return { count: Number(res.count), revision: revisionOf(res.header) };
  }

  /** A lease for the write's TTL, granted (or reused) before the transaction. */
  async #lease(opts: WriteOptions): Promise<string | undefined> {
    return opts.ttlSeconds && opts.ttlSeconds > 0
      ? this.#call(() => this.#leases.leaseFor(opts.ttlSeconds!))
      : undefined;
  }

  /** Runs a write transaction; a lease that expired meanwhile is replaced once. */
  async #withLease<T>(
    opts: WriteOptions,
    fn: (lease: string | undefined, attempt: number) => Promise<T>,
  ): Promise<T> {
    let lease = await this.#lease(opts);
    try {
      return await this.#call((attempt) => fn(lease, attempt));
    } catch (err) {
      if (!lease || !String((err as Error).message).includes(LEASE_NOT_FOUND)) throw err;
      this.#leases.forget(lease);
      lease = await this.#lease(opts);
      return this.#call((attempt) => fn(lease, attempt));
    }
  }

  async create(key: string, value: string, opts: WriteOptions = {}): Promise<KeyValue> {
    const k = Buffer.from(key);
    return this.#withLease(opts, async (lease, attempt) => {
      const res = await this.#client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value), lease: lease ?? 0 } }],
        failure: [{ request_range: { key: k } }],
      });
      if (res.succeeded) {
        const rev = revisionOf(res.header);
        const kv: KeyValue = { key, value, createRevision: rev, modRevision: rev };
        if (lease) kv.lease = Number(lease);
        return kv;
      }
      const cur = res.responses[0]?.response_range?.kvs[0];
      // An earlier attempt of this very create may have been applied before its answer was lost.
      if (attempt > 0 && cur && cur.version === '1' && cur.value.toString() === value) return toKeyValue(cur);
      throw keyExists(key);
    });
  }

  async update(
    key: string,
    value: string,
    expectedRevision: number,
    opts: WriteOptions = {},
  ): Promise<KeyValue> {
    const k = Buffer.from(key);
    return this.#withLease(opts, async (lease, attempt) => {
      const res = await this.#client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_put: { key: k, value: Buffer.from(value), lease: lease ?? 0, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      });
      if (res.succeeded) {
        const prev = res.responses[0]?.response_put?.prev_kv;
        const rev = revisionOf(res.header);
        const kv: KeyValue = {
          key,
          value,
          createRevision: prev ? Number(prev.create_revision) : rev,
          modRevision: rev,
        };
        if (lease) kv.lease = Number(lease);
        return kv;
      }
      const cur = res.responses[0]?.response_range?.kvs[0];
      if (!cur) throw keyNotFound(key);
      const current = toKeyValue(cur);
      if (attempt > 0 && current.value === value && current.modRevision > expectedRevision) return current;
      throw revisionConflict(key, expectedRevision, current);
    });
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const k = Buffer.from(key);
    return this.#call(async () => {
      const res = await this.#client.kv.txn({
        compare:
          opts.expectedRevision === undefined
            ? []
            : [{ key: k, target: 'Mod', result: 'Equal', mod_revision: opts.expectedRevision }],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      });
      if (res.succeeded) {
        const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
        if (!prev) throw keyNotFound(key);
        return { prev: toKeyValue(prev), revision: revisionOf(res.header) };
      }
      const cur = res.responses[0]?.response_range?.kvs[0];
      if (!cur) throw keyNotFound(key);
      throw revisionConflict(key, opts.expectedRevision!, toKeyValue(cur));
    });
  }

  watch(prefix: string, fromRevision: number, opts: WatchOptions = {}): WatchStream {
    const queue = etcdWatch(this.#client, prefix, fromRevision, {
      ...opts,
      head: () => this.#call(() => this.#head()),
      onCompacted: (watermark) => {
        this.#watermark = Math.max(this.#watermark, watermark);
      },
    });
    if (this.#closed) queue.fail(backendClosed(this.name));
    this.#watches.add(queue);
    queue.onClose(() => this.#watches.delete(queue));
    return queue;
  }

  currentRevision(): Promise<number> {
    return this.#call(() => this.#head());
  }

  async compact(revision: number): Promise<{ watermark: number }> {
    try {
      await this.#call(() => this.#client.kv.compact({ revision, physical: true }), { revision });
      this.#watermark = Math.max(this.#watermark, revision);
    } catch (err) {
      if (isStorageError(err, 'Compacted')) return { watermark: Math.max(this.#watermark, revision) };
      if (isFutureRevisionError(err)) throw futureRevision(revision, await this.currentRevision());
      throw err;
    }
    return { watermark: this.#watermark };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#compactor?.stop();
    const err = backendClosed(this.name);
    for (const w of [...this.#watches]) w.fail(err);
    this.#client.close();
  }
}
