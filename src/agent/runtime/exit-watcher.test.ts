import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ExitWatcher } from './exit-watcher.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, fn: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('ExitWatcher: polls re-check only containers with an exit file, every Nth poll all of them', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-exits-'));
  const calls: string[] = [];
  const live = ['a', 'b', 'c'];
  const w = new ExitWatcher(
    dir,
    20,
    async (id) => {
      calls.push(id);
    },
    () => live,
    5,
  );
  try {
    // Four plain polls fit in 90 ms (timers only fire later under load, never earlier): no exit
    // file, so nothing is re-checked; the fifth poll re-checks all three.
    await sleep(90);
    assert.equal(calls.length, 0);
    await waitFor('a full check', () => calls.length === 3);
    assert.deepEqual([...calls].sort(), ['a', 'b', 'c']);
    calls.length = 0;
    await writeFile(path.join(dir, 'b'), '0');
    await waitFor('b re-checked', () => calls.includes('b'));
    await sleep(60);
    const plain = calls.filter((id) => id !== 'b');
    // Between full checks (every 5th poll) the others come up at most once.
    assert.ok(plain.length <= 2, `others re-checked ${plain.length} times`);
  } finally {
    w.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
