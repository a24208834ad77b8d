import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RecordStore } from './container-record.ts';

test('concurrent saves of one record all succeed and the file ends with the latest state', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-records-'));
  try {
    const store = new RecordStore<{ id: string; state: string; n: number }>(dir, 'state.json');
    await store.init();
    const rec = { id: 'c1', state: 'created', n: 0 };
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      rec.n = i;
      rec.state = i % 2 ? 'running' : 'exited';
      saves.push(store.save(rec));
    }
    await Promise.all(saves);
    const onDisk = JSON.parse(await readFile(path.join(dir, 'c1', 'state.json'), 'utf8'));
    assert.deepEqual(onDisk, { id: 'c1', state: 'exited', n: 20 });
    assert.deepEqual(await store.load('c1'), onDisk);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
