import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { summaryMarkdown } from './summary.ts';

test('the comparison table shows each figure with its goal, whether it is met, and its anchor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-summary-'));
  try {
    writeFileSync(
      join(dir, 'api.json'),
      JSON.stringify({
        name: 'api',
        metrics: {
          idle_rss_mb: { value: 70, unit: 'MB', target: { max: 80 } },
          ready_ms: { value: 1200, unit: 'ms', target: { max: 1000 } },
          watch_p99_ms: { value: null, unit: 'ms', target: { max: 100 } },
          extra: { value: 3, unit: 'x' },
        },
      }),
    );
    const md = summaryMarkdown(dir, new Date('2026-01-02T00:00:00Z'));
    assert.match(md, /^Measured 2026-01-02 on \d+ × /);
    assert.match(md, /\| api \| `idle_rss_mb` \| 70 MB \| ≤ 80 \| met \| \[k3s server \+ agent: 1428 MB/);
    assert.match(md, /\| api \| `ready_ms` \| 1200 ms \| ≤ 1000 \| MISSED \|/);
    assert.match(md, /\| api \| `watch_p99_ms` \| — \| ≤ 100 \| no result \|/);
    assert.match(md, /\| api \| `extra` \| 3 x \| {2}\| {2}\| {2}\|/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
