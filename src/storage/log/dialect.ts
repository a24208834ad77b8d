// The narrow, synchronous storage interface under the revision log (kine's shape:
// backend → log → dialect). A dialect stores rows of one append-only table whose id is the
// revision; it knows nothing of CAS, watches or TTLs. Two dialects exist: SQLite (the default
// backend) and plain memory (unit tests of upper layers). Every call is synchronous and cheap, so
// the log can run a whole CAS (read current row, check, insert) without another operation
// interleaving.
//
// Worked example of the rows for one key (empty store at revision 1):
//   id  name  created deleted create_revision prev_revision value
//   2   /a    1       0       0 (= itself)    0             v1
//   4   /a    0       0       2               2             v2    (update, CAS on 2)
//   6   /a    0       1       2               4             v2    (delete: keeps the last value)
//   9   /a    1       0       0               6             v3    (re-create after the delete)
// UNIQUE(name, prev_revision) makes a second writer that also read revision 4 fail its insert.
//
// The previous value an update's watch event carries is not stored twice: it is the value of the
// prev_revision row, which compaction deletes only together with its successor's event (see
// compaction.ts), so every event a watch can still ask for finds it.

/** One row of the log. */
export interface Row {
  id: number;
  name: string;
  /** This row creates the key (first write, or first after a delete). */
  created: boolean;
  /** This row is a tombstone; `value` holds the value the key had. */
  deleted: boolean;
  /** Revision that created this incarnation; 0 on a `created` row (meaning: this row's id). */
  createRevision: number;
  /** The id of the row this one supersedes (the mod revision CAS compared against); 0 for none. */
  prevRevision: number;
  /** TTL in seconds the write asked for; 0 for none. */
  lease: number;
  /** Unix ms after which the key expires; 0 for none. */
  expiresAt: number;
  value: string;
  /**
   * Not stored: the superseded row's value, filled in by history reads (for updates) and by the
   * write that produced the row, for its watch event.
   */
  prevValue?: string;
}

export type NewRow = Omit<Row, 'id' | 'prevValue'>;

/** A live key whose row carries an expiry (reloaded into the expiry queue on open). */
export interface ExpiringKey {
  name: string;
  id: number;
  expiresAt: number;
}

export interface LogDialect {
  readonly name: string;
  /** Highest revision ever assigned, also after its row was compacted away or the store reopened. */
  currentRevision(): number;
  /** Oldest readable revision (the compaction watermark), persisted. 0 or 1 before any compaction. */
  watermark(): number;
  setWatermark(revision: number): void;
  /** How far compaction has processed rows (exclusive of later rows); persisted so it resumes. */
  compactedUpTo(): number;
  setCompactedUpTo(revision: number): void;

  begin(): void;
  commit(): void;
  rollback(): void;

  /** Appends a row; returns its id (the new revision), undefined when UNIQUE(name, prev_revision) refuses it. */
  insert(row: NewRow): number | undefined;
  /** The newest row of key with id ≤ atRevision (tombstones included). */
  latest(key: string, atRevision: number): Row | undefined;
  /**
   * Live keys (newest row ≤ atRevision is not a tombstone) with start ≤ name < end (end undefined:
   * unbounded), in bytewise order, at most limit rows (0: no limit).
   */
  list(start: string, end: string | undefined, atRevision: number, limit: number): Row[];
  count(start: string, end: string | undefined, atRevision: number): number;
  /** Rows with after < id ≤ upto and start ≤ name < end, by id, at most limit; updates with prevValue. */
  history(start: string, end: string | undefined, after: number, upto: number, limit: number): Row[];
  /** Live keys whose newest row carries an expiry. */
  expiring(): ExpiringKey[];
  /**
   * One compaction step over the rows with from < id ≤ to, all below the watermark: delete the
   * rows they supersede (prev_revision) and delete them when they are tombstones. Returns the
   * number of rows deleted.
   * Each row is visited once over all steps, so a live key's newest row stays forever.
   */
  compactRange(from: number, to: number): number;
  close(): void;
}
