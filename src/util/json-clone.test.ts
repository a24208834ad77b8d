import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonClone } from './json-clone.ts';

test('a deep, independent copy of JSON data', () => {
  const pod = {
    metadata: { name: 'p', labels: { a: '1' } },
    spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
  };
  const copy = jsonClone(pod);
  assert.deepEqual(copy, pod);
  copy.spec.containers[0].ports[0].containerPort = 81;
  copy.metadata.labels.a = '2';
  assert.equal(pod.spec.containers[0].ports[0].containerPort, 80);
  assert.equal(pod.metadata.labels.a, '1');
});

test('undefined stays undefined; scalars and null copy as themselves', () => {
  assert.equal(jsonClone(undefined), undefined);
  assert.equal(jsonClone(null), null);
  assert.equal(jsonClone('s'), 's');
  assert.equal(jsonClone(3), 3);
});
