import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  type CompactionHost,
  IDLE_COMPACTION_DEFAULTS,
  initialState,
  lastResortGc,
  observeWindow,
  recordCompaction,
  type Sample,
  startIdleCompaction,
} from './idle-compaction.ts';

const MB = 1024 * 1024;
const o = {
  ...IDLE_COMPACTION_DEFAULTS,
  maxUtilization: 0.05,
  quietWindows: 2,
  minGrowthBytes: 8 * MB,
  minGapWindows: 3,
};
const quiet = (mb: number): Sample => ({ utilization: 0.01, rssBytes: mb * MB });
const busy = (mb: number): Sample => ({ utilization: 0.6, rssBytes: mb * MB });

test('compacts after enough quiet windows in a row, when the resident set grew enough', () => {
  const st = initialState();
  assert.equal(observeWindow(st, quiet(90), o), false, 'one quiet window is a lull, not quiet');
  assert.equal(observeWindow(st, busy(95), o), false);
  assert.equal(observeWindow(st, quiet(95), o), false);
  assert.equal(observeWindow(st, quiet(95), o), true);
  recordCompaction(st, quiet(85));
  for (let i = 0; i < 5; i++) assert.equal(observeWindow(st, quiet(90), o), false, '+5 MB is not worth it');
  assert.equal(observeWindow(st, quiet(94), o), true, '+9 MB is');
});

test('a second compaction waits out the gap even when quiet and grown', () => {
  const st = initialState();
  recordCompaction(st, quiet(85));
  assert.equal(observeWindow(st, quiet(120), o), false);
  assert.equal(observeWindow(st, quiet(120), o), false);
  assert.equal(observeWindow(st, quiet(120), o), false);
  assert.equal(observeWindow(st, quiet(120), o), true);
});

/** A host whose windows are scripted and whose timer is fired by hand. */
function scripted(samples: Sample[]) {
  let tick: (() => void) | undefined;
  let disposed = false;
  const compactions: number[] = [];
  let sampleIndex = 0;
  const host: CompactionHost = {
    sample: () => samples[Math.min(sampleIndex++, samples.length - 1)]!,
    compact: () => compactions.push(sampleIndex),
    every: (_ms, fn) => {
      tick = fn;
      return {
        dispose: () => {
          disposed = true;
        },
      };
    },
  };
  return { host, compactions, fire: () => tick!(), disposed: () => disposed };
}

test('startIdleCompaction compacts after a busy start once quiet, then again only after new growth', () => {
  const s = scripted([
    quiet(0), // the opening sample
    busy(110), // start-up
    quiet(100),
    quiet(100), // second quiet window: compact (-> 84)
    quiet(84), // post-compaction sample: the new baseline
    ...Array.from({ length: 5 }, () => quiet(86)), // +2 MB: no
    busy(120),
    quiet(95),
    quiet(95), // +11 MB, quiet twice, gap passed: compact (-> 88)
    quiet(88),
    quiet(90),
  ]);
  const d = startIdleCompaction(o, s.host);
  for (let i = 0; i < 12; i++) s.fire();
  assert.equal(s.compactions.length, 2);
  void d.dispose();
  assert.equal(s.disposed(), true);
});

test('the gc extension is reachable without exposing gc on this context', () => {
  const gc = lastResortGc();
  assert.equal(typeof gc, 'function');
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});

test('a last-resort collection gives back the pages garbage left behind', () => {
  const gc = lastResortGc()!;
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const before = process.memoryUsage().heapTotal;
  // ~40 MB of short-lived objects, dropped at once: the heap grows to hold them.
  let keep: object[][] = [];
  for (let i = 0; i < 200; i++) keep.push(Array.from({ length: 5000 }, (_, j) => ({ i, j })));
  const grown = process.memoryUsage().heapTotal;
  keep = [];
  assert.equal(keep.length, 0);
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const after = process.memoryUsage().heapTotal;
  assert.ok(grown - before > 20 * MB, `heap grew by ${(grown - before) / MB} MB`);
  assert.ok(after - before < 4 * MB, `heap ${(after - before) / MB} MB above the start after compaction`);
});

test('with --expose-gc it takes the global gc and loads neither node:v8, node:vm nor perf_hooks', () => {
  const script = `
    const { lastResortGc, startIdleCompaction } = await import(${JSON.stringify(import.meta.resolve('./idle-compaction.ts'))});
    const d = startIdleCompaction({ intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    d.dispose();
    const loaded = process.moduleLoadList.filter((m) => /^NativeModule (v8|vm|perf_hooks)$/.test(m));
    console.log(JSON.stringify({ same: lastResortGc() === globalThis.gc, loaded }));`;
  const out = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), { same: true, loaded: [] });
});
