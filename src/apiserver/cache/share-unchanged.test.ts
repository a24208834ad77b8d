import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shareUnchanged } from './share-unchanged.ts';

const pod = (phase: string, rv: string) => ({
  metadata: { name: 'p', labels: { app: 'web' }, resourceVersion: rv },
  spec: { containers: [{ name: 'c', image: 'busybox', args: ['sleep', '1'] }] },
  status: { phase, conditions: [{ type: 'PodScheduled', status: 'False' }] },
});

test('unchanged subtrees are taken from the previous version, changed ones kept', () => {
  const prev = pod('Pending', '1');
  const next = shareUnchanged(pod('Running', '2'), prev);
  assert.equal(next.spec, prev.spec);
  assert.equal(next.metadata.labels, prev.metadata.labels);
  assert.equal(next.status.conditions, prev.status.conditions);
  assert.notEqual(next.status, prev.status);
  assert.notEqual(next.metadata, prev.metadata);
  assert.equal(next.status.phase, 'Running');
  assert.equal(next.metadata.resourceVersion, '2');
  assert.deepEqual(next, pod('Running', '2'));
  // The previous version is never touched.
  assert.deepEqual(prev, pod('Pending', '1'));
});

test('an identical version is the previous object itself', () => {
  const prev = pod('Pending', '1');
  assert.equal(shareUnchanged(pod('Pending', '1'), prev), prev);
});

test('key order, added and removed keys and array lengths count as changes', () => {
  const prev = { a: { x: 1, y: 2 }, b: [1, 2, 3], c: { k: 'v' }, d: { k: 'v' } };
  const next = shareUnchanged({ a: { y: 2, x: 1 }, b: [1, 2], c: { k: 'v', extra: true }, d: {} }, prev);
  assert.notEqual(next.a, prev.a);
  assert.deepEqual(Object.keys(next.a), ['y', 'x']);
  assert.notEqual(next.b, prev.b);
  assert.deepEqual(next.b, [1, 2]);
  assert.notEqual(next.c, prev.c);
  assert.deepEqual(next.d, {});
  assert.equal(JSON.stringify(next), '{"a":{"y":2,"x":1},"b":[1,2],"c":{"k":"v","extra":true},"d":{}}');
});

test('type changes between array, object, null and scalars are never shared', () => {
  const prev = { a: [1], b: { 0: 1 }, c: null, d: { x: 1 }, e: '1' };
  const next = shareUnchanged({ a: { 0: 1 }, b: [1], c: {}, d: null, e: 1 }, prev);
  assert.deepEqual(next, { a: { 0: 1 }, b: [1], c: {}, d: null, e: 1 });
  assert.ok(!Array.isArray(next.a));
  assert.ok(Array.isArray(next.b));
});
