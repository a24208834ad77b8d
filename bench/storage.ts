// Storage benchmark: the SQLite backend and a real local etcd side by side, same durability
// (SQLite synchronous=FULL fsyncs every commit, as etcd fsyncs its WAL), same ~1 KB values.
//
//   serial writes        one client, one create at a time: writes/s, p50/p99 latency
//   64 in flight         64 concurrent creates (SQLite group-commits them)
//   list 10k             a full list of a 10,000-key prefix (median of a few runs)
//   watch, 1000 watchers latency from issuing a write to each of 1,000 watchers receiving it
//   size after churn     (SQLite) 100,000 updates over 1,000 keys, compaction, checkpoint, vacuum:
//                        file bytes ÷ live data bytes
//   driver               raw single-row commit rate of node:sqlite vs better-sqlite3 (FULL)
//
// Every loop has a fixed count; etcd is started on loopback ports and killed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { EtcdBackend } from '../src/storage/etcd/etcd-backend.ts';
import { openSqliteBackend, type SqliteBackend } from '../src/storage/sqlite/sqlite-backend.ts';
import type { StorageBackend } from '../src/storage/types.ts';
import { startEtcd } from '../test/support/etcd.ts';
import { inFlight, quantile, round } from './stats.ts';
import type { BenchResult, Metric } from './types.ts';

const WARMUP_WRITES = 50;
const SERIAL_WRITES = { sqlite: 3_000, etcd: 1_000 };
const INFLIGHT = 64;
const INFLIGHT_WRITES = { sqlite: 10_000, etcd: 3_000 };
const LIST_KEYS = 10_000;
const LIST_RUNS = 5;
const WATCHERS = 1_000;
const WATCH_WRITES = { sqlite: 200, etcd: 100 };
/** Pause between watched writes, so each write's fan-out is measured, not a backlog. */
const WATCH_WRITE_GAP_MS = 5;
const CHURN_KEYS = 1_000;
const CHURN_UPDATES = 100_000;
const DRIVER_COMMITS = 3_000;
/** Time for 1,000 etcd watch streams to be registered before writing. */
const WATCH_SETTLE_TIMEOUT_MS = 30_000;

/** A ~1 KB object, like a small ConfigMap. */
function value(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `cm-${i}`,
      namespace: 'default',
      uid: `0b3c7f4e-${String(i).padStart(4, '0')}-4a1e-9d2b-7c51c9a8e6f0`,
      creationTimestamp: '2026-11-24T12:00:00Z',
      labels: { app: 'bench', tier: 'storage' },
    },
    data: { payload: 'x'.repeat(760), index: String(i) },
  });
}

type Kind = 'sqlite' | 'etcd';

async function serialWrites(b: StorageBackend, kind: Kind, m: Record<string, Metric>) {
  for (let i = 0; i < WARMUP_WRITES; i++) await b.create(`/registry/bench/warmup/${i}`, value(i));
  const n = SERIAL_WRITES[kind];
  const lat: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await b.create(`/registry/bench/serial/${i}`, value(i));
    lat.push(performance.now() - t);
  }
  const secs = (performance.now() - start) / 1000;
  m[`${kind}.serial_writes_per_s`] = { value: round(n / secs, 0), unit: 'writes/s' };
  m[`${kind}.serial_write_p50_ms`] = { value: round(quantile(lat, 0.5), 3), unit: 'ms' };
  m[`${kind}.serial_write_p99_ms`] = { value: round(quantile(lat, 0.99), 3), unit: 'ms' };
}

async function inflightWrites(b: StorageBackend, kind: Kind, m: Record<string, Metric>) {
  const n = INFLIGHT_WRITES[kind];
  const lat: number[] = [];
  const ms = await inFlight(n, INFLIGHT, async (i) => {
    const t = performance.now();
    await b.create(`/registry/bench/inflight/${i}`, value(i));
    lat.push(performance.now() - t);
  });
  m[`${kind}.writes_per_s_64_inflight`] = { value: round(n / (ms / 1000), 0), unit: 'writes/s' };
  m[`${kind}.write_p50_ms_64_inflight`] = { value: round(quantile(lat, 0.5), 3), unit: 'ms' };
}

async function list10k(b: StorageBackend, kind: Kind, m: Record<string, Metric>) {
  const prefix = '/registry/bench/list/';
  await inFlight(LIST_KEYS, INFLIGHT, (i) => b.create(`${prefix}${String(i).padStart(5, '0')}`, value(i)));
  const runs: number[] = [];
  for (let r = 0; r < LIST_RUNS; r++) {
    const t = performance.now();
    const res = await b.list(prefix);
    runs.push(performance.now() - t);
    if (res.kvs.length !== LIST_KEYS) throw new Error(`${kind} list returned ${res.kvs.length} keys`);
  }
  m[`${kind}.list_10k_ms`] = {
    value: round(quantile(runs, 0.5), 1),
    unit: 'ms',
    ...(kind === 'sqlite' ? { target: { max: 100 } } : {}),
  };
}

async function watchLatency(b: StorageBackend, kind: Kind, m: Record<string, Metric>) {
  const prefix = '/registry/bench/watch/';
  const issued = new Map<string, number>();
  const lat: number[] = [];
  const seen = new Map<string, number>();
  const streams = Array.from({ length: WATCHERS }, () => b.watch(prefix, 0, { maxBufferedEvents: 100_000 }));
  const consumers = streams.map(async (s) => {
    try {
      for await (const batch of s) {
        const now = performance.now();
        for (const ev of batch) {
          seen.set(ev.key, (seen.get(ev.key) ?? 0) + 1);
          const t = issued.get(ev.key);
          if (t !== undefined) lat.push(now - t);
        }
      }
    } catch {
      // closed at the end
    }
  });
  // Every watcher must be live before measuring: write a marker until all of them saw one.
  const deadline = Date.now() + WATCH_SETTLE_TIMEOUT_MS;
  for (let i = 0; (seen.get(`${prefix}settle-${i - 1}`) ?? 0) < WATCHERS; i++) {
    if (Date.now() > deadline) throw new Error(`${kind}: watchers did not all start`);
    await b.create(`${prefix}settle-${i}`, 'x');
    await sleep(i === 0 ? 50 : 500);
  }
  const n = WATCH_WRITES[kind];
  for (let i = 0; i < n; i++) {
    const key = `${prefix}k${i}`;
    issued.set(key, performance.now());
    await b.create(key, value(i));
    await sleep(WATCH_WRITE_GAP_MS);
  }
  const want = n * WATCHERS;
  const until = Date.now() + WATCH_SETTLE_TIMEOUT_MS;
  while (lat.length < want && Date.now() < until) await sleep(20);
  for (const s of streams) s.close();
  await Promise.all(consumers);
  if (lat.length < want) throw new Error(`${kind}: only ${lat.length} of ${want} deliveries`);
  m[`${kind}.watch_p50_ms_1000_watchers`] = { value: round(quantile(lat, 0.5), 2), unit: 'ms' };
  m[`${kind}.watch_p99_ms_1000_watchers`] = {
    value: round(quantile(lat, 0.99), 2),
    unit: 'ms',
    ...(kind === 'sqlite' ? { target: { max: 100 } } : {}),
  };
}

async function churn(dir: string, m: Record<string, Metric>, log: (l: string) => void) {
  const b: SqliteBackend = openSqliteBackend(join(dir, 'churn.db'), {
    synchronous: 'FULL',
    compactIntervalMs: 0,
    maintenanceIntervalMs: 0,
  });
  try {
    const revs: number[] = [];
    const keys = Array.from(
      { length: CHURN_KEYS },
      (_, i) => `/registry/bench/churn/${String(i).padStart(4, '0')}`,
    );
    await inFlight(CHURN_KEYS, INFLIGHT, async (i) => {
      revs[i] = (await b.create(keys[i], value(i))).modRevision;
    });
    // Worker w owns keys w, w+64, …: no CAS conflicts, every update lands.
    const perWorker = CHURN_UPDATES / INFLIGHT;
    await inFlight(INFLIGHT, INFLIGHT, async (w) => {
      for (let u = 0; u < perWorker; u++) {
        const i = (w + INFLIGHT * u) % CHURN_KEYS;
        revs[i] = (await b.update(keys[i], value(u), revs[i])).modRevision;
      }
    });
    const before = b.fileStats();
    log(
      `churn: ${CHURN_UPDATES} updates done, db ${before.dbBytes} B + wal ${before.walBytes} B; compacting`,
    );
    const t = performance.now();
    await b.compact(await b.currentRevision());
    await b.maintain();
    const compactMs = performance.now() - t;
    const after = b.fileStats();
    const { kvs } = await b.list('/registry/bench/churn/');
    const live = kvs.reduce((s, kv) => s + Buffer.byteLength(kv.key) + Buffer.byteLength(kv.value), 0);
    m['sqlite.size_bytes_before_compaction'] = { value: before.dbBytes + before.walBytes, unit: 'bytes' };
    m['sqlite.size_bytes_after_churn'] = { value: after.dbBytes + after.walBytes, unit: 'bytes' };
    m['sqlite.live_data_bytes'] = { value: live, unit: 'bytes' };
    m['sqlite.size_ratio_after_churn'] = {
      value: round((after.dbBytes + after.walBytes) / live, 2),
      unit: 'ratio',
      target: { max: 3 },
    };
    m['sqlite.compact_and_vacuum_ms'] = { value: round(compactMs, 0), unit: 'ms' };
  } finally {
    await b.close();
  }
}

interface RawDb {
  exec(sql: string): void;
  prepare(sql: string): { run(...args: unknown[]): unknown };
  close(): void;
}

/** Commits per second of one-row transactions on a raw driver, WAL + synchronous=FULL. */
function driverCommits(db: RawDb): number {
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, value TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (name, value) VALUES (?, ?)');
  const start = performance.now();
  for (let i = 0; i < DRIVER_COMMITS; i++) insert.run(`/registry/k${i}`, value(i));
  const secs = (performance.now() - start) / 1000;
  db.close();
  return DRIVER_COMMITS / secs;
}

async function drivers(dir: string, m: Record<string, Metric>, log: (l: string) => void) {
  m['driver.node_sqlite.commits_per_s'] = {
    value: round(driverCommits(new DatabaseSync(join(dir, 'driver-node.db')) as unknown as RawDb), 0),
    unit: 'commits/s',
  };
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => RawDb;
    m['driver.better_sqlite3.commits_per_s'] = {
      value: round(driverCommits(new Database(join(dir, 'driver-better.db'))), 0),
      unit: 'commits/s',
    };
  } catch (err) {
    log(`better-sqlite3 not measured: ${(err as Error).message}`);
  }
}

export async function run(log: (line: string) => void): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-storage-'));
  const metrics: Record<string, Metric> = {};
  const etcd = await startEtcd({ members: 1 });
  try {
    const open: Record<Kind, () => StorageBackend> = {
      sqlite: () =>
        openSqliteBackend(join(dir, 'state.db'), {
          synchronous: 'FULL',
          compactIntervalMs: 0,
          maintenanceIntervalMs: 0,
        }),
      etcd: () => new EtcdBackend(etcd.endpoints),
    };
    for (const kind of ['sqlite', 'etcd'] as const) {
      const b = open[kind]();
      try {
        log(`${kind}: serial writes`);
        await serialWrites(b, kind, metrics);
        log(`${kind}: ${INFLIGHT} in flight`);
        await inflightWrites(b, kind, metrics);
        log(`${kind}: list ${LIST_KEYS}`);
        await list10k(b, kind, metrics);
        log(`${kind}: watch with ${WATCHERS} watchers`);
        await watchLatency(b, kind, metrics);
      } finally {
        await b.close();
      }
    }
    const ratio = metrics['sqlite.serial_writes_per_s'].value / metrics['etcd.serial_writes_per_s'].value;
    metrics['sqlite_vs_etcd.serial_writes_ratio'] = { value: round(ratio, 2), unit: '×', target: { min: 4 } };
    log('sqlite: churn and compaction');
    await churn(dir, metrics, log);
    log('drivers: node:sqlite vs better-sqlite3');
    await drivers(dir, metrics, log);
  } finally {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { name: 'storage', metrics };
}
