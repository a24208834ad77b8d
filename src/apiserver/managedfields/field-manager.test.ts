// Table-driven server-side apply tests: every fixtures/ssa/*.yaml case is a sequence of writes by
// field managers — `create`/`update` (tracked as operation Update) or `apply` — against one
// object, then the expected object, its managedFields and/or the error a step must fail with.
// Step i runs at 2026-01-01T00:00:0i Z, so expected entries may pin their `time`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { isApiError } from '../../api/errors.ts';
import { schemaOfKind } from '../patch/schema.ts';
import { applyObject, type FieldManagerScope, trackUpdate } from './field-manager.ts';
import type { ManagedFieldsEntry } from './managed-fields.ts';

type Obj = Record<string, unknown>;

interface Step {
  op: 'create' | 'update' | 'apply';
  manager: string;
  object: Obj;
  force?: boolean;
  subresource?: string;
  /** The step must fail with this status code and message. */
  error?: { code: number; message: string; causes?: unknown[] };
  /** The step must leave the object exactly as it was (no-op apply or update). */
  unchanged?: boolean;
}

interface SsaCase {
  description: string;
  kind: string;
  apiVersion?: string;
  steps: Step[];
  expected?: { object?: Obj; managedFields?: Partial<ManagedFieldsEntry>[] };
}

const DIR = join(import.meta.dirname, '../patch/fixtures/ssa');
/** Kinds whose status is a subresource (the registry's hasStatus). */
const HAS_STATUS = new Set(['Deployment', 'Pod', 'Service', 'Node']);
const UID = '7d3c2a1e-0000-4000-8000-000000000001';

const stepTime = (i: number): string => `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`;

function runCase(c: SsaCase): Obj | undefined {
  const apiVersion = c.apiVersion ?? (c.kind === 'Deployment' ? 'apps/v1' : 'v1');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  let live: Obj | undefined;
  c.steps.forEach((step, i) => {
    const scope: FieldManagerScope = {
      group,
      version,
      kind: c.kind,
      schema: schemaOfKind(group, version, c.kind),
      subresource: step.subresource ?? '',
      hasStatus: HAS_STATUS.has(c.kind),
    };
    assert.ok(scope.schema, `no schema for ${apiVersion} ${c.kind}`);
    const before = live ? structuredClone(live) : undefined;
    const run = (): Obj => {
      if (step.op === 'apply') {
        return applyObject(scope, live, structuredClone(step.object), {
          manager: step.manager,
          force: !!step.force,
          now: stepTime(i),
        });
      }
      const next = structuredClone(step.object);
      next.metadata ??= {};
      const meta = next.metadata as Obj;
      const fields = trackUpdate(scope, live, next, step.manager, stepTime(i));
      if (fields) meta.managedFields = fields;
      else delete meta.managedFields;
      return next;
    };
    if (step.error) {
      assert.throws(run, (err: unknown) => {
        assert.ok(isApiError(err), `step ${i}: not an ApiError: ${String(err)}`);
        assert.equal(err.code, step.error!.code, `step ${i}: ${err.message}`);
        assert.equal(err.message, step.error!.message);
        if (step.error!.causes) assert.deepStrictEqual(err.details?.causes, step.error!.causes);
        return true;
      });
      return;
    }
    const out = run();
    // The registry gives a created object its uid (what tells a create from an update).
    const meta = out.metadata as Obj;
    meta.uid ??= UID;
    if (step.unchanged) assert.deepStrictEqual(out, before, `step ${i} should change nothing`);
    live = out;
  });
  return live;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
let total = 0;

for (const file of files) {
  const cases = parse(readFileSync(join(DIR, file), 'utf8')) as SsaCase[];
  describe(`ssa/${file}`, () => {
    for (const c of cases) {
      total++;
      test(c.description, () => {
        const live = runCase(c);
        if (!c.expected) return;
        assert.ok(live, 'no object after the steps');
        const { managedFields, uid: _uid, ...meta } = live.metadata as Obj;
        if (c.expected.managedFields) {
          const got = (managedFields ?? []) as Obj[];
          const want = c.expected.managedFields as Obj[];
          assert.equal(got.length, want.length, `managedFields: ${JSON.stringify(got)}`);
          want.forEach((w, i) => {
            assert.deepStrictEqual(pick(got[i], Object.keys(w)), w, `entry ${i}`);
          });
        }
        if (c.expected.object) assert.deepStrictEqual({ ...live, metadata: meta }, c.expected.object);
      });
    }
  });
}

function pick(e: Obj, keys: string[]): Obj {
  const out: Obj = {};
  for (const k of keys) if (k in e) out[k] = e[k];
  return out;
}

test('the fixture suite has at least 30 cases', () => {
  assert.ok(total >= 30, `only ${total} server-side apply cases`);
});
