import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { renderDownwardApi } from './downward-api.ts';

const pod: Pod = {
  metadata: {
    name: 'web',
    namespace: 'ns1',
    uid: 'u',
    labels: { z: 'last', a: 'fi"rst' },
    annotations: { note: 'x' },
  },
  spec: { containers: [{ name: 'app', resources: { limits: { cpu: '500m' } } }] },
};
const ctx = { pod, nodeName: 'n', podIPs: ['10.0.0.2'], hostIPs: ['10.0.0.1'], allocatable: { cpu: '2' } };

test('labels/annotations render as sorted quoted lines; fields and resources resolve', () => {
  const files = renderDownwardApi(
    [
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' }, mode: 0o600 },
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
    ],
    ctx,
    0o644,
  );
  assert.deepEqual(files, [
    { path: 'labels', content: 'a="fi\\"rst"\nz="last"', mode: 0o644 },
    { path: 'annotations', content: 'note="x"', mode: 0o600 },
    { path: 'name', content: 'web', mode: 0o644 },
    { path: 'cpu', content: '500', mode: 0o644 },
  ]);
});

test('unknown field paths and containers are refused', () => {
  assert.throws(
    () => renderDownwardApi([{ path: 'x', fieldRef: { fieldPath: 'spec.bogus' } }], ctx),
    /unsupported fieldPath/,
  );
  assert.throws(
    () =>
      renderDownwardApi(
        [{ path: 'x', resourceFieldRef: { containerName: 'nope', resource: 'limits.cpu' } }],
        ctx,
      ),
    /not found/,
  );
});
