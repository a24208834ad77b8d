import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { Interner } from './interner.ts';

const pod = (name: string, fields: Record<string, unknown>): KObject =>
  JSON.parse(
    JSON.stringify({
      metadata: {
        name,
        managedFields: [{ manager: 'm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: fields }],
      },
    }),
  );
const tree = (o: KObject): unknown =>
  (o.metadata?.managedFields?.[0] as { fieldsV1?: unknown } | undefined)?.fieldsV1;

test('equal fieldsV1 trees of different objects become one shared tree; different ones stay apart', () => {
  const i = new Interner();
  const a = pod('a', { 'f:spec': { 'f:replicas': {} } });
  const b = pod('b', { 'f:spec': { 'f:replicas': {} } });
  const c = pod('c', { 'f:spec': { 'f:paused': {} } });
  for (const o of [a, b, c]) i.intern(o);
  assert.equal(tree(a), tree(b));
  assert.notEqual(tree(a), tree(c));
  assert.deepEqual(tree(c), { 'f:spec': { 'f:paused': {} } });
  assert.equal(i.size.fields, 2);
});

test('the table is bounded: past its limit it starts over', () => {
  const i = new Interner(2);
  for (const n of ['x', 'y', 'z']) i.intern(pod(n, { [`f:${n}`]: {} }));
  assert.equal(i.size.fields, 1);
});

test('objects without managedFields, or with odd entries, are left alone', () => {
  const i = new Interner();
  const bare: KObject = { metadata: { name: 'a' } };
  i.intern(bare);
  const odd: KObject = { metadata: { name: 'b', managedFields: [null, 'x', { manager: 'm' }] } };
  i.intern(odd);
  assert.deepEqual(odd.metadata?.managedFields, [null, 'x', { manager: 'm' }]);
  assert.equal(i.size.fields, 0);
});

test('short string values are shared across objects; long ones and keys are left as decoded', () => {
  const i = new Interner();
  // Built at run time, so no two are the same literal already.
  const image = () => ['busy', 'box:1.36'].join('');
  const long = () => 'x'.repeat(200).concat('');
  const a: KObject = {
    metadata: { name: 'a' },
    spec: { containers: [{ image: image(), args: [image()] }], note: long() },
  };
  const b: KObject = {
    metadata: { name: 'b' },
    spec: { containers: [{ image: image(), args: [image()] }], note: long() },
  };
  i.intern(a);
  i.intern(b);
  assert.equal(i.string(image()), a.spec.containers[0].image);
  assert.deepEqual(b, {
    metadata: { name: 'b' },
    spec: { containers: [{ image: 'busybox:1.36', args: ['busybox:1.36'] }], note: 'x'.repeat(200) },
  });
  // 'a', 'b', 'busybox:1.36': the long string is not remembered.
  assert.equal(i.size.strings, 3);
});

test('the string table is bounded too', () => {
  const i = new Interner(2);
  for (const s of ['x', 'y', 'z']) i.string(s);
  assert.equal(i.size.strings, 1);
});
