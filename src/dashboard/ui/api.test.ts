import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Api, ApiFailure, NETWORK_RETRIES, UNREACHABLE } from './api.ts';

const ok = () =>
  new Response(JSON.stringify({ kind: 'Scale', spec: { replicas: 3 } }), {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
  });

test('a request that failed before any answer is sent once more', async () => {
  let calls = 0;
  const api = new Api('t', '', async () => {
    calls++;
    if (calls === 1) throw new TypeError('Failed to fetch');
    return ok();
  });
  const r = await api.patch('/apis/apps/v1/namespaces/default/deployments/web/scale', {
    spec: { replicas: 3 },
  });
  assert.equal(calls, 2);
  assert.equal(r.spec.replicas, 3);
});

test('network failures past the retries read as the server being unreachable', async () => {
  let calls = 0;
  const api = new Api('t', '', async () => {
    calls++;
    throw new TypeError('Failed to fetch');
  });
  await assert.rejects(
    api.get('/api/v1/nodes'),
    (e: Error) => e.message === `${UNREACHABLE}: Failed to fetch`,
  );
  assert.equal(calls, NETWORK_RETRIES + 1);
});

test('streams (watch, logs) are sent again too', async () => {
  let calls = 0;
  const api = new Api('t', '', async () => {
    calls++;
    if (calls === 1) throw new TypeError('Failed to fetch');
    return new Response('line\n');
  });
  const chunks: string[] = [];
  for await (const c of api.stream('/api/v1/namespaces/default/pods/p/log', new AbortController().signal))
    chunks.push(c);
  assert.deepEqual(chunks, ['line\n']);
  assert.equal(calls, 2);
});

test('an error answer or an abort is not retried', async () => {
  let calls = 0;
  const forbidden = new Api('t', '', async () => {
    calls++;
    return new Response(JSON.stringify({ kind: 'Status', reason: 'Forbidden', message: 'no', code: 403 }), {
      status: 403,
    });
  });
  await assert.rejects(
    forbidden.get('/api/v1/nodes'),
    (e: unknown) => e instanceof ApiFailure && e.code === 403,
  );
  assert.equal(calls, 1);
  const ctl = new AbortController();
  ctl.abort();
  calls = 0;
  const aborted = new Api('t', '', async () => {
    calls++;
    throw new TypeError('aborted');
  });
  await assert.rejects(aborted.get('/api/v1/nodes', ctl.signal));
  assert.equal(calls, 1);
});
