// Group commit: writes submitted in the same turn of the event loop run inside one transaction,
// so 64 clients writing at once pay for one fsync, not 64 (what etcd's batching does too). Each
// write is a synchronous closure that reads, checks and inserts; a closure that throws (KeyExists,
// Conflict, NotFound) changes nothing and fails alone. Callers are answered only after COMMIT
// returned, so every acknowledged write is durable at the configured synchronous level.
import { unavailable } from '../errors.ts';
import type { LogDialect, Row } from './dialect.ts';

/** Writes per transaction; bounds how long one flush holds the event loop. */
const MAX_BATCH = 1_000;

interface Pending {
  run: () => Row;
  resolve: (row: Row) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  readonly #dialect: LogDialect;
  readonly #onCommitted: (rows: Row[]) => void;
  #queue: Pending[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #idle: (() => void)[] = [];

  /** onCommitted runs synchronously after each COMMIT, before any writer hears back. */
  constructor(dialect: LogDialect, onCommitted: (rows: Row[]) => void) {
    this.#dialect = dialect;
    this.#onCommitted = onCommitted;
  }

  submit(run: () => Row): Promise<Row> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ run, resolve, reject });
      this.#scheduled ??= setImmediate(() => this.#flush());
    });
  }

  /** Resolves once every submitted write has been answered. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && !this.#scheduled) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #flush(): void {
    this.#scheduled = undefined;
    const batch = this.#queue.splice(0, MAX_BATCH);
    if (this.#queue.length > 0) this.#scheduled = setImmediate(() => this.#flush());
    const done: { p: Pending; row: Row }[] = [];
    const failed: { p: Pending; err: unknown }[] = [];
    try {
      this.#dialect.begin();
      for (const p of batch) {
        try {
          done.push({ p, row: p.run() });
        } catch (err) {
          failed.push({ p, err });
        }
      }
      if (done.length > 0) this.#dialect.commit();
      else this.#dialect.rollback();
    } catch (err) {
      // BEGIN or COMMIT failed (disk full, I/O error, closed): nothing of this batch happened.
      try {
        this.#dialect.rollback();
      } catch {
        // no transaction left to roll back
      }
      const cause = unavailable(`storage commit failed: ${(err as Error).message}`, err);
      const own = new Map(failed.map((f) => [f.p, f.err]));
      failed.length = 0;
      for (const p of batch) failed.push({ p, err: own.get(p) ?? cause });
      done.length = 0;
    }
    if (done.length > 0) {
      try {
        this.#onCommitted(done.map((d) => d.row));
      } catch {
        // A throwing sink is a bug elsewhere; the writes are committed, so still answer the writers.
      }
    }
    for (const { p, row } of done) p.resolve(row);
    for (const { p, err } of failed) p.reject(err);
    if (!this.#scheduled) {
      const idle = this.#idle;
      this.#idle = [];
      for (const fn of idle) fn();
    }
  }
}
