// Opens the storage backend a datastore endpoint names (the server's --datastore-endpoint):
//
//   ''                                  SQLite at <data-dir>/db/state.db (the default)
//   sqlite:///abs/path.db[?synchronous=FULL]
//   etcd://host:port[,host:port…]       etcd v3 over plain HTTP/2 (several members: failover)
//   http://host:port[,http://host:port…]   the same, in etcd's own URL form
//   memory://                           nothing persisted (tests, demos)
import { isAbsolute, join } from 'node:path';
import type { SynchronousMode } from './sqlite/sqlite-dialect.ts';
import type { StorageBackend } from './types.ts';

export const DEFAULT_SQLITE_PATH = ['db', 'state.db'];

export type DatastoreEndpoint =
  | { kind: 'sqlite'; path: string; synchronous: SynchronousMode }
  | { kind: 'etcd'; endpoints: string[] }
  | { kind: 'memory' };

const SYNCHRONOUS_MODES: readonly SynchronousMode[] = ['NORMAL', 'FULL'];

/** Parses an endpoint; throws an Error whose message says what is accepted. */
export function parseEndpoint(endpoint: string, dataDir: string): DatastoreEndpoint {
  const e = endpoint.trim();
  if (e === '') return { kind: 'sqlite', path: join(dataDir, ...DEFAULT_SQLITE_PATH), synchronous: 'NORMAL' };
  if (e === 'memory://' || e === 'memory:') return { kind: 'memory' };
  if (e.startsWith('sqlite://')) {
    const [rawPath, query = ''] = e.slice('sqlite://'.length).split('?', 2);
    const path = decodeURIComponent(rawPath);
    if (!isAbsolute(path))
      throw new Error(`datastore endpoint ${e}: the path must be absolute (sqlite:///abs/path.db)`);
    const mode = (new URLSearchParams(query).get('synchronous') ?? 'NORMAL').toUpperCase() as SynchronousMode;
    if (!SYNCHRONOUS_MODES.includes(mode)) {
      throw new Error(`datastore endpoint ${e}: synchronous must be one of ${SYNCHRONOUS_MODES.join(', ')}`);
    }
    return { kind: 'sqlite', path, synchronous: mode };
  }
  if (e.startsWith('etcd://')) {
    const hosts = e
      .slice('etcd://'.length)
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    if (hosts.length === 0 || hosts.some((h) => !/^[^/\s]+:\d+$/.test(h))) {
      throw new Error(`datastore endpoint ${e}: expected etcd://host:port[,host:port]`);
    }
    return { kind: 'etcd', endpoints: hosts.map((h) => `http://${h}`) };
  }
  if (e.startsWith('http://') || e.startsWith('https://')) {
    const urls = e
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    for (const u of urls) {
      if (u.startsWith('https://'))
        throw new Error(`datastore endpoint ${u}: TLS to etcd is not supported yet`);
      if (!/^http:\/\/[^/\s]+:\d+\/?$/.test(u))
        throw new Error(`datastore endpoint ${u}: expected http://host:port`);
    }
    return { kind: 'etcd', endpoints: urls.map((u) => u.replace(/\/$/, '')) };
  }
  throw new Error(
    `unsupported datastore endpoint ${JSON.stringify(e)}: use '' (SQLite in the data dir), sqlite:///path.db, etcd://host:port[,host:port], http://host:port or memory://`,
  );
}

export interface OpenOptions {
  dataDir: string;
  /** etcd: how long start-up keeps retrying an unreachable cluster (default: the backend's retry budget). */
  etcdConnectTimeoutMs?: number;
}

// Each backend is imported only when chosen: the etcd client (gRPC, protobufjs) alone adds ~15 MB
// of resident memory to a server that runs on SQLite.
export async function openBackend(endpoint: string, opts: OpenOptions): Promise<StorageBackend> {
  const parsed = parseEndpoint(endpoint, opts.dataDir);
  switch (parsed.kind) {
    case 'memory': {
      const { openMemoryBackend } = await import('./memory/memory-backend.ts');
      return openMemoryBackend();
    }
    case 'sqlite': {
      const { openSqliteBackend } = await import('./sqlite/sqlite-backend.ts');
      return openSqliteBackend(parsed.path, { synchronous: parsed.synchronous });
    }
    case 'etcd': {
      const { EtcdBackend } = await import('./etcd/etcd-backend.ts');
      const probe = new EtcdBackend(parsed.endpoints, { retryTimeoutMs: opts.etcdConnectTimeoutMs });
      try {
        // Fail at start-up, with the endpoints in the message, rather than on the first request.
        await probe.currentRevision();
      } catch (err) {
        throw new Error(`cannot reach etcd at ${parsed.endpoints.join(', ')}: ${(err as Error).message}`, {
          cause: err,
        });
      } finally {
        await probe.close();
      }
      return new EtcdBackend(parsed.endpoints);
    }
  }
}
