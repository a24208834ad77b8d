import assert from 'node:assert/strict';
import { test } from 'node:test';
import { equalIgnoreHash, findActiveOrLatest, findNewReplicaSet } from './replicasets.ts';

const tpl = (image: string, extra: Record<string, unknown> = {}) => ({
  metadata: { labels: { app: 'a' }, ...extra },
  spec: { containers: [{ name: 'c', image }] },
});
const rs = (name: string, created: string, template: unknown, replicas = 1) => ({
  metadata: { name, uid: name, creationTimestamp: created },
  spec: { replicas, template },
});

test('templates compare equal ignoring the hash label, key order and null fields', () => {
  const withHash = tpl('x');
  withHash.metadata.labels = { app: 'a', 'pod-template-hash': 'abc' } as never;
  assert.ok(equalIgnoreHash(withHash, tpl('x')));
  // What `kubectl rollout undo` sends back: creationTimestamp null.
  assert.ok(equalIgnoreHash(tpl('x', { creationTimestamp: null }), tpl('x')));
  assert.ok(!equalIgnoreHash(tpl('x'), tpl('y')));
});

test('the new RS is the oldest with the template; active-or-latest picks the only active one', () => {
  const a = rs('a', '2026-01-01T00:00:00Z', tpl('x'), 0);
  const b = rs('b', '2026-01-02T00:00:00Z', tpl('x'), 2);
  const c = rs('c', '2026-01-03T00:00:00Z', tpl('y'), 0);
  assert.equal(findNewReplicaSet({ spec: { template: tpl('x') } }, [b, c, a])?.metadata?.name, 'a');
  assert.equal(findActiveOrLatest(undefined, [a, b, c])?.metadata?.name, 'b');
  assert.equal(findActiveOrLatest(undefined, [a, c])?.metadata?.name, 'c');
  assert.equal(findActiveOrLatest(undefined, [a, { ...c, spec: { replicas: 1 } }, b]), undefined);
});
