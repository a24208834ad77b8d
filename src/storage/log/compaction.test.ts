// Compaction of the revision log, row by row, on both dialects: which rows survive, that every
// event a watch can still ask for keeps its previous value, and that a compaction spanning many
// windows leaves exactly the newest row of every live key.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryDialect } from '../memory/memory-dialect.ts';
import { SqliteDialect } from '../sqlite/sqlite-dialect.ts';
import { readEvents } from '../testsuite/helpers.ts';
import { COMPACT_WINDOW } from './compaction.ts';
import type { LogDialect } from './dialect.ts';
import { LogBackend } from './log-backend.ts';

const ALL = Number.MAX_SAFE_INTEGER;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const dialects: Record<string, () => LogDialect> = {
  memory: () => new MemoryDialect(),
  sqlite: () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-compaction-test-'));
    dirs.push(dir);
    return new SqliteDialect(join(dir, 'state.db'));
  },
};

const ids = (d: LogDialect) => d.history('', undefined, 0, ALL, ALL).map((r) => r.id);

for (const [name, make] of Object.entries(dialects)) {
  describe(`compaction (${name})`, () => {
    it('follows the worked example: superseded rows and old tombstones go, newest rows stay', async () => {
      const d = make();
      const b = new LogBackend(d, { compactIntervalMs: 0 });
      try {
        const a1 = await b.create('/a', '1'); // 2
        const b1 = await b.create('/b', '1'); // 3
        const a2 = await b.update('/a', '2', a1.modRevision); // 4
        const delB = await b.delete('/b'); // 5
        const a3 = await b.update('/a', '3', a2.modRevision); // 6
        assert.deepEqual(
          [a1.modRevision, b1.modRevision, a2.modRevision, delB.revision, a3.modRevision],
          [2, 3, 4, 5, 6],
        );
        assert.deepEqual(await b.compact(6), { watermark: 6 });
        assert.deepEqual(ids(d), [4, 6], 'row 4 stays until its successor 6 is below the watermark');
        const c1 = await b.create('/c', '1'); // 7
        await b.compact(7);
        assert.deepEqual(ids(d), [6, 7]);
        assert.equal(d.currentRevision(), 7);
        assert.equal(d.compactedUpTo(), 6);
        assert.equal((await b.get('/a')).kv?.value, '3');
        assert.equal((await b.get('/b')).kv, undefined);
        assert.equal((await b.get('/c', { revision: 7 })).kv?.modRevision, c1.modRevision);
      } finally {
        await b.close();
      }
    });

    it('an event a watch can still ask for keeps its previous value after compaction', async () => {
      const b = new LogBackend(make(), { compactIntervalMs: 0 });
      try {
        const v1 = await b.create('/k', 'v1');
        const v2 = await b.update('/k', 'v2', v1.modRevision);
        const v3 = await b.update('/k', 'v3', v2.modRevision);
        await b.compact(v3.modRevision);
        const w = b.watch('/', v3.modRevision - 1);
        try {
          const [ev] = await readEvents(w, 1, 5_000);
          assert.deepEqual(
            { type: ev.type, revision: ev.revision, value: ev.value, prevValue: ev.prevValue },
            { type: 'update', revision: v3.modRevision, value: 'v3', prevValue: 'v2' },
          );
        } finally {
          w.close();
        }
      } finally {
        await b.close();
      }
    });

    it('a compaction over many windows keeps exactly the newest row of every live key', async () => {
      const d = make();
      const b = new LogBackend(d, { compactIntervalMs: 0 });
      try {
        const keys = 10;
        const revs: number[] = [];
        for (let k = 0; k < keys; k++) revs[k] = (await b.create(`/k${k}`, '0')).modRevision;
        const updates = 2 * COMPACT_WINDOW + 123;
        await Promise.all(
          Array.from({ length: keys }, async (_, k) => {
            for (let u = k; u < updates; u += keys)
              revs[k] = (await b.update(`/k${k}`, String(u), revs[k])).modRevision;
          }),
        );
        await b.create('/gone', 'x');
        await b.delete('/gone');
        const head = await b.currentRevision();
        await b.compact(head);
        const newest = new Set(revs);
        // The tombstone at the head stays (a watch from head-1 needs it), with its predecessor.
        const left = ids(d);
        assert.deepEqual(left.slice(0, keys).sort(), [...newest].sort());
        assert.deepEqual(left.slice(keys), [head - 1, head]);
        assert.equal(d.currentRevision(), head);
        const { kvs } = await b.list('/k');
        assert.deepEqual(kvs.map((kv) => kv.modRevision).sort(), [...newest].sort());
      } finally {
        await b.close();
      }
    });
  });
}
