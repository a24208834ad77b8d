// The default backend: the revision log on SQLite (node:sqlite, built into Node 24), owned by one
// process. See ../README.md for the write → fan-out → watcher flow and compaction.
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { LogBackend, type LogBackendOptions } from '../log/log-backend.ts';
import { Maintenance, type MaintenanceResult } from './maintenance.ts';
import { SqliteDialect, type SynchronousMode } from './sqlite-dialect.ts';

/** WAL checkpoint and vacuum period, besides the run after each compaction. */
export const DEFAULT_MAINTENANCE_INTERVAL_MS = 60_000;

export interface SqliteBackendOptions extends Omit<LogBackendOptions, 'afterCompaction' | 'onClose'> {
  /**
   * NORMAL (default): with WAL, every acknowledged write survives a crash of the process; an OS
   * crash or power loss may lose the last commits. FULL: fsync on every commit (etcd's guarantee).
   */
  synchronous?: SynchronousMode;
  /** Period of WAL checkpoint + incremental vacuum; 0 disables the timer (compaction still runs it). */
  maintenanceIntervalMs?: number;
}

export interface SqliteFileStats {
  dbBytes: number;
  walBytes: number;
}

export class SqliteBackend extends LogBackend {
  readonly path: string;
  readonly #maintenance: Maintenance;

  constructor(dialect: SqliteDialect, maintenance: Maintenance, opts: SqliteBackendOptions) {
    let timer: NodeJS.Timeout | undefined;
    super(dialect, {
      ...opts,
      afterCompaction: async () => {
        await maintenance.run();
      },
      onClose: () => clearInterval(timer),
    });
    this.path = dialect.path;
    this.#maintenance = maintenance;
    const every = opts.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS;
    if (every > 0) {
      timer = setInterval(() => {
        maintenance.run().catch((err) => opts.onError?.('maintenance', err));
      }, every);
      timer.unref();
    }
  }

  /** Checkpoint the WAL (truncating it) and vacuum free pages now. */
  maintain(): Promise<MaintenanceResult> {
    return this.#maintenance.run();
  }

  fileStats(): SqliteFileStats {
    const size = (p: string) => {
      try {
        return statSync(p).size;
      } catch {
        return 0;
      }
    };
    return { dbBytes: size(this.path), walBytes: size(`${this.path}-wal`) };
  }

  override async close(): Promise<void> {
    await this.#maintenance.stop();
    await super.close();
  }
}

/** Opens (creating when missing) the store at path, e.g. `<data-dir>/db/state.db`. */
export function openSqliteBackend(path: string, opts: SqliteBackendOptions = {}): SqliteBackend {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let dialect: SqliteDialect;
  try {
    dialect = new SqliteDialect(path, { synchronous: opts.synchronous });
  } catch (err) {
    const msg = (err as Error).message;
    if (/locked|busy/i.test(msg)) {
      throw new Error(`${path} is in use by another process (one skiff server owns a SQLite store)`, {
        cause: err,
      });
    }
    throw err;
  }
  return new SqliteBackend(dialect, new Maintenance(dialect.db), opts);
}
