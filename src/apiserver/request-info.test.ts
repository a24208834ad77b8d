import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequestInfo } from './request-info.ts';

const p = (method: string, path: string, q = '') => parseRequestInfo(method, path, new URLSearchParams(q));

test('request info: table of paths', () => {
  const cases: [string, string, string, Partial<ReturnType<typeof p>>][] = [
    [
      'GET',
      '/api/v1/namespaces/default/pods',
      '',
      { verb: 'list', namespace: 'default', resource: 'pods', name: '' },
    ],
    ['GET', '/api/v1/namespaces/default/pods/x', '', { verb: 'get', resource: 'pods', name: 'x' }],
    ['GET', '/api/v1/namespaces/default/pods', 'watch=true', { verb: 'watch' }],
    [
      'GET',
      '/api/v1/watch/namespaces/default/pods',
      '',
      { verb: 'watch', namespace: 'default', resource: 'pods' },
    ],
    ['GET', '/api/v1/pods', '', { verb: 'list', namespace: '', resource: 'pods' }],
    [
      'GET',
      '/api/v1/namespaces/kube-system',
      '',
      { verb: 'get', resource: 'namespaces', name: 'kube-system' },
    ],
    [
      'PUT',
      '/api/v1/namespaces/x/finalize',
      '',
      { verb: 'update', resource: 'namespaces', name: 'x', subresource: 'finalize' },
    ],
    ['GET', '/api/v1/namespaces', '', { verb: 'list', resource: 'namespaces', namespace: '' }],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/d/deployments/web/scale',
      '',
      { verb: 'patch', group: 'apps', subresource: 'scale' },
    ],
    [
      'POST',
      '/api/v1/namespaces/d/pods/p/eviction',
      '',
      { verb: 'create', subresource: 'eviction', name: 'p' },
    ],
    ['DELETE', '/api/v1/namespaces/d/configmaps', '', { verb: 'deletecollection' }],
    [
      'GET',
      '/api/v1/nodes/n1/proxy/metrics/x',
      '',
      { resource: 'nodes', name: 'n1', subresource: 'proxy', parts: ['metrics', 'x'] },
    ],
    ['GET', '/apis/apps/v1', '', { isResourceRequest: false, group: 'apps', version: 'v1' }],
    ['GET', '/version', '', { isResourceRequest: false }],
  ];
  for (const [m, path, q, want] of cases) {
    const got = p(m, path, q);
    for (const [k, v] of Object.entries(want))
      assert.deepEqual(got[k as keyof typeof got], v, `${m} ${path} ${k}`);
  }
});
