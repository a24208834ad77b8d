// The in-memory backend: the revision log over MemoryDialect. Full semantics (revisions, CAS,
// watch replay, compaction, TTL), nothing persisted. For unit tests of upper layers.
import { LogBackend, type LogBackendOptions } from '../log/log-backend.ts';
import { MemoryDialect } from './memory-dialect.ts';

export function openMemoryBackend(opts: LogBackendOptions = {}): LogBackend {
  return new LogBackend(new MemoryDialect(), opts);
}
