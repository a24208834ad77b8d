import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { byCodeUnit } from './code-unit-order.ts';

test('orders by code unit: upper case before lower, no locale folding', () => {
  assert.deepEqual(['b', 'B', 'a', 'A', 'é', 'e'].sort(byCodeUnit), ['A', 'B', 'a', 'b', 'e', 'é']);
  assert.equal(byCodeUnit('x', 'x'), 0);
});

/** RSS growth (KB) of a fresh process after sorting with the given comparator source. */
function rssGrowthKb(comparator: string): number {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `const before = process.memoryUsage.rss();
       const xs = Array.from({ length: 200 }, (_, i) => 'host-' + ((i * 7919) % 200));
       xs.sort(${comparator});
       console.log(Math.round((process.memoryUsage.rss() - before) / 1024));`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test('localeCompare costs megabytes of resident memory that code-unit order does not', () => {
  const locale = rssGrowthKb('(a, b) => a.localeCompare(b)');
  const plain = rssGrowthKb('(a, b) => (a < b ? -1 : a > b ? 1 : 0)');
  assert.ok(locale - plain > 1024, `localeCompare +${locale} KB, code units +${plain} KB`);
});
