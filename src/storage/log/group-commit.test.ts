import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryDialect } from '../memory/memory-dialect.ts';
import { isStorageError, type WatchEvent } from '../types.ts';
import { LogBackend } from './log-backend.ts';

/** A memory dialect that counts commits and can be told to fail the next one. */
class CountingDialect extends MemoryDialect {
  commits = 0;
  failNextCommit = false;
  override commit(): void {
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error('disk I/O error');
    }
    this.commits++;
    super.commit();
  }
}

describe('group commit', () => {
  it('writes issued together share one transaction; each still gets its own revision and outcome', async () => {
    const d = new CountingDialect();
    const b = new LogBackend(d, { compactIntervalMs: 0 });
    try {
      await b.create('/dup', 'x');
      const before = d.commits;
      const results = await Promise.allSettled([
        ...Array.from({ length: 64 }, (_, i) => b.create(`/k${i}`, String(i))),
        b.create('/dup', 'again'),
      ]);
      assert.equal(d.commits - before, 1, '65 writes, one COMMIT');
      const revs = results
        .slice(0, 64)
        .map((r) => (r as PromiseFulfilledResult<{ modRevision: number }>).value.modRevision);
      assert.equal(new Set(revs).size, 64);
      assert.ok(
        isStorageError((results[64] as PromiseRejectedResult).reason, 'KeyExists'),
        'the failing write fails alone',
      );
      assert.equal(await b.currentRevision(), Math.max(...revs));
    } finally {
      await b.close();
    }
  });

  it('a failed COMMIT fails every write of the batch as Unavailable and publishes nothing', async () => {
    const d = new CountingDialect();
    const b = new LogBackend(d, { compactIntervalMs: 0 });
    try {
      const head = await b.currentRevision();
      const w = b.watch('/', 0);
      d.failNextCommit = true;
      const results = await Promise.allSettled([b.create('/a', '1'), b.create('/b', '2')]);
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        assert.ok(isStorageError(r.reason, 'Unavailable'), String(r.reason));
      }
      assert.equal(await b.currentRevision(), head, 'the revision did not move');
      assert.equal((await b.get('/a')).kv, undefined, 'the rolled-back row is gone');
      const ok = await b.create('/c', '3');
      assert.equal(ok.modRevision, head + 1, 'the next write reuses the revision that never became visible');
      const it = w[Symbol.asyncIterator]();
      const first = await it.next();
      assert.deepEqual(
        (first.value as WatchEvent[]).map((e) => e.key),
        ['/c'],
      );
      w.close();
    } finally {
      await b.close();
    }
  });
});
