// Wraps a StorageBackend to record per-operation latency, without changing behaviour.
import type { StorageBackend } from '../../storage/types.ts';

export function timedBackend(
  b: StorageBackend,
  observe: (op: string, seconds: number) => void,
): StorageBackend {
  const time = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      observe(op, (performance.now() - start) / 1000);
    }
  };
  return {
    name: b.name,
    get: (k, o) => time('get', () => b.get(k, o)),
    list: (p, o) => time('list', () => b.list(p, o)),
    count: (p) => time('count', () => b.count(p)),
    create: (k, v, o) => time('create', () => b.create(k, v, o)),
    update: (k, v, r, o) => time('update', () => b.update(k, v, r, o)),
    delete: (k, o) => time('delete', () => b.delete(k, o)),
    watch: (p, r, o) => b.watch(p, r, o),
    currentRevision: () => b.currentRevision(),
    compact: (r) => time('compact', () => b.compact(r)),
    close: () => b.close(),
  };
}
