import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundleTo } from '../../scripts/bundle.ts';

const MAX_ASCII = 0x7f;

/**
 * V8 keeps a script's source for lazy compilation, and one character outside Latin-1 anywhere in
 * it (esbuild keeps some comments, e.g. `// ── section ──`) stores the whole bundle as UTF-16:
 * twice the memory, for the process's whole life. The bundling skiff ships with must prevent it.
 */
test('the agent bundled as skiff ships is ASCII, so V8 holds its source one byte per character', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await bundleTo({ agent: join(import.meta.dirname, 'agent.ts') }, dir);
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs'));
  let size = 0;
  const offending: string[] = [];
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    size += text.length;
    const line = text.split('\n').find((l) => [...l].some((c) => c.charCodeAt(0) > MAX_ASCII));
    if (line) offending.push(`${f}: ${line.slice(0, 120)}`);
  }
  assert.ok(size > 100_000, `bundle unexpectedly small: ${size}`);
  assert.deepEqual(offending, []);
});
