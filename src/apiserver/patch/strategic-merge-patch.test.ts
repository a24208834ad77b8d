// Table-driven strategic merge patch tests: every fixtures/smp/*.yaml file holds cases
// {description, kind, apiVersion?, original, patch, expected | expectedError: {code, message}},
// run against the generated schemas of the built-in kinds (src/api/schemas).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { isApiError } from '../../api/errors.ts';
import { schemaOfKind } from './schema.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

interface SmpCase {
  description: string;
  kind: string;
  apiVersion?: string;
  original: Record<string, unknown>;
  patch: Record<string, unknown>;
  expected?: Record<string, unknown>;
  expectedError?: { code: number; message: string };
}

const DIR = join(import.meta.dirname, 'fixtures/smp');
const GROUP_OF_KIND: Record<string, string> = { Deployment: 'apps/v1' };

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
let total = 0;

for (const file of files) {
  const cases = parse(readFileSync(join(DIR, file), 'utf8')) as SmpCase[];
  describe(`smp/${file}`, () => {
    for (const c of cases) {
      total++;
      test(c.description, () => {
        const apiVersion = c.apiVersion ?? GROUP_OF_KIND[c.kind] ?? 'v1';
        const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
        const schema = schemaOfKind(group, version, c.kind);
        assert.ok(schema, `no schema for ${apiVersion} ${c.kind}`);
        const originalCopy = structuredClone(c.original);
        const patchCopy = structuredClone(c.patch);
        if (c.expectedError) {
          assert.throws(
            () => applyStrategicMergePatch(c.original, c.patch, schema),
            (err: unknown) => {
              assert.ok(isApiError(err), `not an ApiError: ${String(err)}`);
              assert.equal(err.code, c.expectedError!.code);
              assert.equal(err.message, c.expectedError!.message);
              return true;
            },
          );
        } else {
          const got = applyStrategicMergePatch(c.original, c.patch, schema);
          assert.deepStrictEqual(got, c.expected);
        }
        assert.deepStrictEqual(c.original, originalCopy, 'original must not be modified');
        assert.deepStrictEqual(c.patch, patchCopy, 'patch must not be modified');
      });
    }
  });
}

test('the fixture suite has at least 60 cases', () => {
  assert.ok(total >= 60, `only ${total} strategic merge patch cases`);
});
