import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildDashboard } from './build.ts';

test('the build writes index.html naming its entry module and stylesheet, each with a gzip twin', async () => {
  const out = mkdtempSync(join(tmpdir(), 'skiff-dashboard-build-'));
  try {
    const { files } = await buildDashboard(out);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const js = /src="(assets\/main-[^"]+\.js)"/.exec(html)?.[1];
    const css = /href="(assets\/main-[^"]+\.css)"/.exec(html)?.[1];
    assert.ok(js && css, html);
    assert.ok(existsSync(join(out, js)) && existsSync(join(out, css)));
    for (const f of files) {
      assert.deepEqual(
        gunzipSync(readFileSync(join(out, `${f.path}.gz`))),
        readFileSync(join(out, f.path)),
        f.path,
      );
    }
    // xterm.js and the YAML library are split out of the entry so the first paint does not wait.
    const entry = readFileSync(join(out, js), 'utf8');
    assert.ok(!entry.includes('xterm-helper-textarea'));
    assert.ok(files.some((f) => /terminal-.*\.js$/.test(f.path)));
    assert.ok(files.some((f) => /yaml-editor-.*\.js$/.test(f.path)));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
