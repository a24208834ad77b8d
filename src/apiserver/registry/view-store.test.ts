// autoscaling/v1 HorizontalPodAutoscalers served as a view of the stored v2 objects, through a
// real ApiServer (memory backend) over HTTP: each version reads what the other wrote.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findUnknownFields } from '../../api/schemas/unknown-fields.ts';
import type { ApiServer } from '../server.ts';
import { memoryApiServer } from '../testing/memory-api-server.ts';

let server: ApiServer;
let base: string;
// biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON
type Body = Record<string, any>;

async function call(method: string, path: string, body?: unknown, type = 'application/json') {
  const res = await fetch(base + path, {
    method,
    headers: { 'Content-Type': type },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { code: res.status, text, body: (text.startsWith('{') ? JSON.parse(text) : {}) as Body };
}

const V1 = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers';
const V2 = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';

before(async () => {
  server = memoryApiServer({ unknownFields: findUnknownFields }).api;
  const { port } = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: 'default' } })).code, 201);
});
after(() => server.close());

test('discovery lists autoscaling v2 (preferred) and v1', async () => {
  const g = (await call('GET', '/apis/autoscaling')).body;
  assert.deepEqual(
    g.versions.map((v: Body) => v.version),
    ['v2', 'v1'],
  );
  assert.equal(g.preferredVersion.version, 'v2');
  const v1 = (await call('GET', '/apis/autoscaling/v1')).body;
  assert.ok(v1.resources.some((r: Body) => r.name === 'horizontalpodautoscalers'));
});

test('created through v1, read through v2 with the CPU target as a metric', async () => {
  const created = await call('POST', V1, {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 60,
    },
  });
  assert.equal(created.code, 201, created.text);
  assert.equal(created.body.apiVersion, 'autoscaling/v1');
  assert.equal(created.body.spec.targetCPUUtilizationPercentage, 60);
  const v2 = await call('GET', `${V2}/web`);
  assert.equal(v2.body.apiVersion, 'autoscaling/v2');
  assert.deepEqual(v2.body.spec.metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
  ]);
  assert.equal(v2.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
});

test('v2-only metrics survive a v1 read-modify-write', async () => {
  const memory = {
    type: 'Resource',
    resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } },
  };
  const cur = (await call('GET', `${V2}/web`)).body;
  cur.spec.metrics.push(memory);
  assert.equal((await call('PUT', `${V2}/web`, cur)).code, 200);
  const v1 = (await call('GET', `${V1}/web`)).body;
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 60);
  assert.deepEqual(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics']), [memory]);
  v1.spec.maxReplicas = 9;
  const put = await call('PUT', `${V1}/web`, v1);
  assert.equal(put.code, 200, put.text);
  const after = (await call('GET', `${V2}/web`)).body;
  assert.equal(after.spec.maxReplicas, 9);
  assert.equal(after.spec.metrics.length, 2);
  assert.equal(after.metadata.annotations?.['autoscaling.alpha.kubernetes.io/metrics'], undefined);
});

test('merge patch through v1; list and watch through v1 convert every object', async () => {
  const p = await call(
    'PATCH',
    `${V1}/web`,
    { spec: { targetCPUUtilizationPercentage: 75 } },
    'application/merge-patch+json',
  );
  assert.equal(p.code, 200, p.text);
  assert.equal(p.body.spec.targetCPUUtilizationPercentage, 75);
  const list = (await call('GET', V1)).body;
  assert.equal(list.apiVersion, 'autoscaling/v1');
  assert.equal(list.items[0].apiVersion, 'autoscaling/v1');
  assert.equal(list.items[0].spec.targetCPUUtilizationPercentage, 75);
  const res = await fetch(`${base}${V1}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
  const reader = res.body!.getReader();
  await call('PATCH', `${V2}/web`, { spec: { minReplicas: 3 } }, 'application/merge-patch+json');
  let text = '';
  while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  const ev = JSON.parse(text.split('\n')[0]);
  assert.equal(ev.type, 'MODIFIED');
  assert.equal(ev.object.apiVersion, 'autoscaling/v1');
  assert.equal(ev.object.spec.minReplicas, 3);
  assert.equal(ev.object.spec.targetCPUUtilizationPercentage, 75);
});

test('v1 bodies are validated in v1 terms; server-side apply through v1 is refused with 415', async () => {
  const bad = await call('POST', `${V1}?fieldValidation=Strict`, {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'x' },
    spec: { metrics: [] },
  });
  assert.equal(bad.code, 400, bad.text);
  assert.match(bad.body.message, /unknown field "spec.metrics"/);
  const apply = await call('PATCH', `${V1}/web?fieldManager=t`, { spec: {} }, 'application/apply-patch+yaml');
  assert.equal(apply.code, 415, apply.text);
  const del = await call('DELETE', `${V1}/web`);
  assert.equal(del.code, 200, del.text);
  assert.equal(del.body.apiVersion, 'autoscaling/v1');
  assert.equal((await call('GET', `${V2}/web`)).code, 404);
});
