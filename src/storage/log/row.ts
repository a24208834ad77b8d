// Rows of the revision log as the storage contract's values and watch events.
import type { KeyValue, WatchEvent } from '../types.ts';
import type { Row } from './dialect.ts';

export const createRevisionOf = (row: Row): number => (row.created ? row.id : row.createRevision);

export function rowToKeyValue(row: Row): KeyValue {
  const kv: KeyValue = {
    key: row.name,
    value: row.value,
    createRevision: createRevisionOf(row),
    modRevision: row.id,
  };
  if (row.lease > 0) kv.lease = row.lease;
  return kv;
}

/**
 * The event a row stands for. A delete carries the last value both as `value` and `prevValue`
 * (what Kubernetes sends as the DELETED object); an update carries the superseded value.
 */
export function rowToEvent(row: Row): WatchEvent {
  const ev: WatchEvent = {
    type: row.deleted ? 'delete' : row.created ? 'create' : 'update',
    key: row.name,
    value: row.value,
    revision: row.id,
    createRevision: createRevisionOf(row),
  };
  if (row.deleted) {
    ev.prevValue = row.value;
    ev.prevRevision = row.prevRevision;
  } else if (!row.created) {
    if (row.prevValue !== undefined) ev.prevValue = row.prevValue;
    ev.prevRevision = row.prevRevision;
  }
  return ev;
}
