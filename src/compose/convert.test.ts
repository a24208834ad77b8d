// Table-driven: compose keys and forms (fixtures/cases.yaml) → expected objects or warnings. Every
// produced object must also pass the API server's defaulting and validation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import type { KObject } from '../api/object.ts';
import { convertTexts, validationErrors } from './testing.ts';
import type { ConvertOptions, ConvertResult } from './types.ts';

interface Case {
  name: string;
  compose: string;
  files?: Record<string, string>;
  env?: Record<string, string>;
  options?: ConvertOptions;
  expect?: Record<string, Record<string, unknown>>;
  absent?: string[];
  warns?: string[];
  exactWarnings?: string[];
  error?: string;
}

const CASES = parse(readFileSync(join(import.meta.dirname, 'fixtures/cases.yaml'), 'utf8')) as Case[];

/** `a.b.0.c`, with `\.` for a dot inside a key. */
function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'))) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const find = (r: ConvertResult, id: string): KObject | undefined =>
  r.objects.find((o) => `${o.kind}/${o.metadata?.name}` === id);

const warningIds = (r: ConvertResult): string[] => r.warnings.map((w) => `${w.service ?? ''}:${w.key}`);

function run(c: Case): ConvertResult {
  const hasName = /^name:/m.test(c.compose);
  return convertTexts(
    { 'compose.yaml': c.compose, ...c.files },
    { env: c.env ?? {}, ...(hasName ? {} : { projectName: 'p' }) },
    c.options,
  );
}

describe('compose → Kubernetes objects', () => {
  test('the table covers at least 50 keys and forms', () => {
    assert.ok(CASES.length >= 50, `${CASES.length} cases`);
  });

  for (const c of CASES) {
    test(c.name, () => {
      if (c.error) {
        assert.throws(() => run(c), new RegExp(c.error));
        return;
      }
      const r = run(c);
      for (const [id, fields] of Object.entries(c.expect ?? {})) {
        const obj = find(r, id);
        assert.ok(obj, `${id} among ${r.objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
        for (const [path, want] of Object.entries(fields)) {
          assert.deepEqual(at(obj, path), want ?? undefined, `${id} ${path}`);
        }
      }
      for (const id of c.absent ?? []) assert.equal(find(r, id), undefined, `${id} must not be produced`);
      const ids = warningIds(r);
      for (const w of c.warns ?? []) assert.ok(ids.includes(w), `warning ${w} among ${JSON.stringify(ids)}`);
      if (c.exactWarnings) assert.deepEqual(ids, c.exactWarnings);
      assert.deepEqual(validationErrors(r.objects), []);
      assert.equal(r.objects[0].kind, 'Namespace', 'the Namespace comes first');
    });
  }
});
