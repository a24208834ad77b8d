import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('..', import.meta.url));
/** A value import of node:http, node:util or node:tls: `import {` / `import x` / `import * as`, not `type`. */
const VALUE_IMPORT = /^import\s+(?!type\b)[^;]*?\sfrom\s+['"](?:node:)?(?:http|util|tls)['"]/m;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('no source file imports node:http, node:util or node:tls values; node-builtins.ts requires them', async () => {
  const offenders: string[] = [];
  for (const f of await sourceFiles(SRC)) {
    if (VALUE_IMPORT.test(await readFile(f, 'utf8'))) offenders.push(f.slice(SRC.length));
  }
  assert.deepEqual(offenders, []);
});

test('the pattern catches value imports and spares type imports and other modules', () => {
  assert.ok(VALUE_IMPORT.test("import { request } from 'node:http';"));
  assert.ok(VALUE_IMPORT.test("import {\n  Agent,\n  type Server,\n} from 'node:http';"));
  assert.ok(VALUE_IMPORT.test("import { promisify } from 'node:util';"));
  assert.ok(VALUE_IMPORT.test("import util from 'util';"));
  assert.ok(VALUE_IMPORT.test("import { createSecureContext } from 'node:tls';"));
  assert.ok(!VALUE_IMPORT.test("import type { Server } from 'node:http';"));
  assert.ok(!VALUE_IMPORT.test("import { request } from 'node:https';"));
  assert.ok(!VALUE_IMPORT.test("import { TextDecoder } from 'node:util/types';"));
});

test('the required builtins leave undici and worker_threads unloaded', () => {
  const mod = new URL('./node-builtins.ts', import.meta.url).href;
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { nodeHttp, nodeUtil } = await import(${JSON.stringify(mod)}); nodeHttp.createServer(); ` +
        `nodeUtil.promisify(setTimeout); ` +
        `console.log(JSON.stringify(process.moduleLoadList.filter((m) => /undici|worker_threads/.test(m))));`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '[]');
});

test('an ESM import of node:util would load worker_threads (why the module exists)', () => {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `await import('node:util'); console.log(process.moduleLoadList.some((m) => m.includes('worker_threads')));`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'true');
});
