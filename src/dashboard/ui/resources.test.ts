import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureFrom } from './api.ts';
import { age, KINDS, pathFor, pathForManifest, podPhases, summarize } from './resources.ts';

test('paths', () => {
  assert.equal(pathFor(KINDS.Node), '/api/v1/nodes');
  assert.equal(pathFor(KINDS.Pod, 'default', 'p', 'log'), '/api/v1/namespaces/default/pods/p/log');
  assert.equal(
    pathFor(KINDS.Deployment, 'a b', 'web', 'scale'),
    '/apis/apps/v1/namespaces/a%20b/deployments/web/scale',
  );
  assert.equal(pathFor(KINDS.Deployment), '/apis/apps/v1/deployments');
  assert.equal(
    pathForManifest({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, 'default'),
    '/apis/apps/v1/namespaces/default/deployments/web',
  );
  assert.throws(
    () => pathForManifest({ apiVersion: 'v1', kind: 'Deployment', metadata: { name: 'w' } }, 'd'),
    /apiVersion/,
  );
  assert.throws(() => pathForManifest({ apiVersion: 'v1', kind: 'Pod', metadata: {} }, 'd'), /name/);
});

test('status summaries', () => {
  assert.deepEqual(
    summarize('Deployment', { metadata: { name: 'd' }, spec: { replicas: 3 }, status: { readyReplicas: 1 } }),
    {
      text: '1/3 ready',
      health: 'warn',
    },
  );
  assert.deepEqual(summarize('Pod', { metadata: { name: 'p' }, status: { phase: 'Running' } }).health, 'ok');
  assert.deepEqual(
    summarize('Pod', {
      metadata: { name: 'p' },
      status: { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ErrImagePull' } } }] },
    }),
    { text: 'ErrImagePull', health: 'bad' },
  );
  assert.equal(
    summarize('Job', {
      metadata: { name: 'j' },
      status: { conditions: [{ type: 'Complete', status: 'True' }] },
    }).text,
    'Complete',
  );
  assert.deepEqual(
    podPhases([{ metadata: { name: 'a' }, status: { phase: 'Running' } }, { metadata: { name: 'b' } }]).slice(
      0,
      2,
    ),
    [
      ['Running', 1],
      ['Pending', 1],
    ],
  );
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(age('2026-01-01T11:59:30Z', now), '30s');
  assert.equal(age('2026-01-01T11:00:00Z', now), '60m');
  assert.equal(age('2025-12-30T12:00:00Z', now), '2d');
});

test('errors carry the Status message', () => {
  const f = failureFrom(
    403,
    JSON.stringify({ kind: 'Status', reason: 'Forbidden', message: 'x is forbidden', code: 403 }),
  );
  assert.equal(f.message, 'x is forbidden');
  assert.equal(f.reason, 'Forbidden');
  assert.equal(failureFrom(502, 'bad gateway\n').message, 'bad gateway');
  assert.equal(failureFrom(500, '').message, 'HTTP 500');
});
