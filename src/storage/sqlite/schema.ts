// The SQLite schema of the revision log: one append-only table whose AUTOINCREMENT id is the
// revision (kine's design), and a small table for the compaction watermark.
//
// - AUTOINCREMENT, not a plain rowid: ids are never reused, even after compaction deleted the
//   highest row, so revisions never go backwards across compaction and reopen.
// - UNIQUE(name, prev_revision): two writers that read the same row cannot both supersede it.
// - (name, id, deleted): the newest row of a key at a revision, and which keys of a range are
//   live at a revision, from the index alone (a list then fetches only the live rows by id).
// - No old_value column: an update's previous value is its prev_revision row (see log/dialect.ts),
//   so an update writes its value once, and the rows that survive compaction stay small.
// - Keys are TEXT under the BINARY collation: comparisons are memcmp over UTF-8, the bytewise
//   order etcd has. Prefix reads are ranges (name >= prefix AND name < successor), never LIKE.

/** Bumped when the schema changes incompatibly (PRAGMA user_version). */
export const SCHEMA_VERSION = 1;

/** An empty store is at revision 1, like etcd; the first write gets revision 2. */
export const INITIAL_REVISION = 1;

export const META_WATERMARK = 'compact_watermark';
export const META_COMPACTED_UP_TO = 'compacted_up_to';

/** Must run before the first table exists: auto_vacuum cannot be switched on later without a VACUUM. */
export const PRE_SCHEMA_PRAGMAS = 'PRAGMA auto_vacuum = INCREMENTAL;';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  lease INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS log_name_prev_revision ON log (name, prev_revision);
CREATE INDEX IF NOT EXISTS log_name_id_deleted ON log (name, id, deleted);
CREATE INDEX IF NOT EXISTS log_expiring ON log (expires_at) WHERE expires_at > 0;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'log', ${INITIAL_REVISION} WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'log');
PRAGMA user_version = ${SCHEMA_VERSION};
`;
