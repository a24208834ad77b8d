import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { storageConformance } from '../testsuite/conformance.ts';
import { eventually } from '../testsuite/helpers.ts';
import { isStorageError, type StorageBackend } from '../types.ts';
import { openSqliteBackend } from './sqlite-backend.ts';

storageConformance(
  'sqlite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-test-'));
    const path = join(dir, 'state.db');
    let backend: StorageBackend = openSqliteBackend(path);
    return {
      backend,
      reopen: async () => {
        await backend.close();
        backend = openSqliteBackend(path);
        return backend;
      },
      cleanup: async () => {
        await backend.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { persistent: true },
);

describe('sqlite files stay bounded', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempPath = () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-test-'));
    dirs.push(dir);
    return join(dir, 'state.db');
  };
  const value = (i: number) => JSON.stringify({ i, data: 'x'.repeat(1_000) });

  it('after churn, compaction + checkpoint + vacuum leave the file within 3× the live data, WAL empty', async () => {
    const b = openSqliteBackend(tempPath(), { compactIntervalMs: 0, maintenanceIntervalMs: 0 });
    try {
      const keys = 300;
      const rounds = 20;
      const revs = await Promise.all(
        Array.from({ length: keys }, (_, k) => b.create(`/registry/c/${k}`, value(0))),
      );
      const mod = revs.map((kv) => kv.modRevision);
      for (let r = 1; r <= rounds; r++) {
        const next = await Promise.all(mod.map((rev, k) => b.update(`/registry/c/${k}`, value(r), rev)));
        next.forEach((kv, k) => {
          mod[k] = kv.modRevision;
        });
      }
      const grown = b.fileStats();
      await b.compact(await b.currentRevision());
      await b.maintain();
      const { dbBytes, walBytes } = b.fileStats();
      const { kvs } = await b.list('/registry/c/');
      const live = kvs.reduce((s, kv) => s + Buffer.byteLength(kv.key) + Buffer.byteLength(kv.value), 0);
      assert.equal(kvs.length, keys);
      assert.equal(walBytes, 0, 'the checkpoint truncated the WAL');
      assert.ok(dbBytes < grown.dbBytes / 5, `the file shrank (${grown.dbBytes} → ${dbBytes} bytes)`);
      assert.ok(dbBytes <= 3 * live, `file ${dbBytes} bytes ≤ 3 × live ${live} bytes`);
    } finally {
      await b.close();
    }
  });

  it('scheduled compaction keeps a bounded window of history; scheduled maintenance truncates the WAL', async () => {
    const b = openSqliteBackend(tempPath(), {
      compactIntervalMs: 100,
      compactKeepRevisions: 10,
      maintenanceIntervalMs: 100,
    });
    try {
      let kv = await b.create('/registry/k', '0');
      const first = kv.modRevision;
      for (let i = 1; i <= 50; i++) kv = await b.update('/registry/k', String(i), kv.modRevision);
      const head = kv.modRevision;
      await eventually(
        async () => {
          try {
            await b.get('/registry/k', { revision: first });
            return false;
          } catch (err) {
            return isStorageError(err, 'Compacted');
          }
        },
        5_000,
        'old revisions compacted',
      );
      await eventually(async () => b.fileStats().walBytes === 0, 5_000, 'WAL truncated');
      // The window behind the head is still readable.
      assert.equal((await b.get('/registry/k', { revision: head - 10 })).kv?.value, '40');
    } finally {
      await b.close();
    }
  });
});
