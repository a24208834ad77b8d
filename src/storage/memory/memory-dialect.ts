// The revision log's rows kept in plain memory, for unit tests of upper layers: the same log
// logic as SQLite (CAS, watch replay, compaction, TTL) over arrays instead of tables.
//
//   rows     all rows by id (ascending): history reads and compaction
//   byKey    each key's rows by id: point reads at a revision
//   keys     every key that has rows, in bytewise order: range reads
import { compareKeys } from '../keys.ts';
import type { ExpiringKey, LogDialect, NewRow, Row } from '../log/dialect.ts';

/** An empty store is at revision 1, like etcd; the first write gets 2. */
const INITIAL_REVISION = 1;

export class MemoryDialect implements LogDialect {
  readonly name = 'memory';
  #rows: Row[] = [];
  readonly #byKey = new Map<string, Row[]>();
  readonly #byId = new Map<number, Row>();
  #keys: string[] = [];
  #seq = INITIAL_REVISION;
  #watermark = 0;
  #compactedUpTo = 0;
  /** Rows inserted by the open transaction, undone by rollback. */
  #txn: Row[] | undefined;

  currentRevision(): number {
    return this.#seq;
  }
  watermark(): number {
    return this.#watermark;
  }
  setWatermark(revision: number): void {
    this.#watermark = revision;
  }
  compactedUpTo(): number {
    return this.#compactedUpTo;
  }
  setCompactedUpTo(revision: number): void {
    this.#compactedUpTo = revision;
  }

  begin(): void {
    this.#txn = [];
  }
  commit(): void {
    this.#txn = undefined;
  }
  rollback(): void {
    const undo = this.#txn ?? [];
    this.#txn = undefined;
    for (const row of undo.reverse()) {
      this.#rows.pop();
      this.#byId.delete(row.id);
      const history = this.#byKey.get(row.name)!;
      history.pop();
      if (history.length === 0) {
        this.#byKey.delete(row.name);
        this.#keys.splice(this.#lowerBound(row.name), 1);
      }
      this.#seq = row.id - 1;
    }
  }

  insert(n: NewRow): number | undefined {
    const history = this.#byKey.get(n.name);
    if (history?.some((r) => r.prevRevision === n.prevRevision)) return undefined;
    const row: Row = { id: ++this.#seq, ...n };
    this.#rows.push(row);
    this.#byId.set(row.id, row);
    if (history) history.push(row);
    else {
      this.#byKey.set(n.name, [row]);
      const i = this.#lowerBound(n.name);
      this.#keys.splice(i, 0, n.name);
    }
    this.#txn?.push(row);
    return row.id;
  }

  /** Index of the first key ≥ name. */
  #lowerBound(name: string): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(this.#keys[mid], name) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  latest(key: string, atRevision: number): Row | undefined {
    const history = this.#byKey.get(key);
    if (!history) return undefined;
    for (let i = history.length - 1; i >= 0; i--) if (history[i].id <= atRevision) return history[i];
    return undefined;
  }

  *#liveInRange(start: string, end: string | undefined, atRevision: number): Generator<Row> {
    for (let i = this.#lowerBound(start); i < this.#keys.length; i++) {
      const key = this.#keys[i];
      if (end !== undefined && compareKeys(key, end) >= 0) return;
      const row = this.latest(key, atRevision);
      if (row && !row.deleted) yield row;
    }
  }

  list(start: string, end: string | undefined, atRevision: number, limit: number): Row[] {
    const out: Row[] = [];
    for (const row of this.#liveInRange(start, end, atRevision)) {
      out.push(row);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }

  count(start: string, end: string | undefined, atRevision: number): number {
    let n = 0;
    for (const _ of this.#liveInRange(start, end, atRevision)) n++;
    return n;
  }

  history(start: string, end: string | undefined, after: number, upto: number, limit: number): Row[] {
    const out: Row[] = [];
    const rows = this.#rows;
    for (let i = this.#firstAfter(after); i < rows.length && rows[i].id <= upto && out.length < limit; i++) {
      const r = rows[i];
      if (compareKeys(r.name, start) < 0 || (end !== undefined && compareKeys(r.name, end) >= 0)) continue;
      const prev = !r.created && !r.deleted ? this.#byId.get(r.prevRevision) : undefined;
      out.push(prev ? { ...r, prevValue: prev.value } : r);
    }
    return out;
  }

  /** Index of the first row with id > revision. */
  #firstAfter(revision: number): number {
    let lo = 0;
    let hi = this.#rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#rows[mid].id <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  expiring(): ExpiringKey[] {
    const out: ExpiringKey[] = [];
    for (const history of this.#byKey.values()) {
      const last = history[history.length - 1];
      if (!last.deleted && last.expiresAt > 0)
        out.push({ name: last.name, id: last.id, expiresAt: last.expiresAt });
    }
    return out;
  }

  compactRange(from: number, to: number): number {
    const doomed = new Set<number>();
    for (let i = this.#firstAfter(from); i < this.#rows.length && this.#rows[i].id <= to; i++) {
      const r = this.#rows[i];
      if (r.prevRevision !== 0) doomed.add(r.prevRevision);
      if (r.deleted) doomed.add(r.id);
    }
    if (doomed.size === 0) return 0;
    const before = this.#rows.length;
    this.#rows = this.#rows.filter((r) => !doomed.has(r.id));
    for (const id of doomed) this.#byId.delete(id);
    for (const [key, history] of this.#byKey) {
      const kept = history.filter((r) => !doomed.has(r.id));
      if (kept.length > 0) this.#byKey.set(key, kept);
      else this.#byKey.delete(key);
    }
    this.#keys = this.#keys.filter((k) => this.#byKey.has(k));
    return before - this.#rows.length;
  }

  close(): void {
    this.#rows = [];
    this.#byKey.clear();
    this.#byId.clear();
    this.#keys = [];
  }
}
