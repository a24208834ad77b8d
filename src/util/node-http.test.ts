import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('..', import.meta.url));
/** A value import of node:http: `import {` / `import x` / `import * as` not followed by `type`. */
const VALUE_IMPORT = /^import\s+(?!type\b)[^;]*?\sfrom\s+['"](?:node:)?http['"]/m;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('no source file imports node:http values (they load undici); nodeHttp is used instead', async () => {
  const offenders: string[] = [];
  for (const f of await sourceFiles(SRC)) {
    if (VALUE_IMPORT.test(await readFile(f, 'utf8'))) offenders.push(f.slice(SRC.length));
  }
  assert.deepEqual(offenders, []);
});

test('the pattern catches a value import and spares type imports', () => {
  assert.ok(VALUE_IMPORT.test("import { request } from 'node:http';"));
  assert.ok(VALUE_IMPORT.test("import {\n  Agent,\n  type Server,\n} from 'node:http';"));
  assert.ok(!VALUE_IMPORT.test("import type { Server } from 'node:http';"));
  assert.ok(!VALUE_IMPORT.test("import { request } from 'node:https';"));
});

test('requiring node:http through nodeHttp does not load undici', () => {
  const mod = new URL('./node-http.ts', import.meta.url).href;
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { nodeHttp } = await import(${JSON.stringify(mod)}); nodeHttp.createServer(); ` +
        `console.log(process.moduleLoadList.some((m) => m.includes('undici')));`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'false');
});
