// Bad input gets upstream's Status code and reason — never a 5xx or a crash. Table-driven, against
// a real server process over HTTPS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Creds, credsFromKubeconfig, raw } from './client.ts';
import { type Skiff, startSkiff } from './harness.ts';

let s: Skiff;
let c: Creds;
before(async () => {
  s = await startSkiff();
  c = credsFromKubeconfig(s.kubeconfig);
  const ok = await raw(c, 'POST', '/api/v1/namespaces/default/configmaps', {
    body: JSON.stringify({ metadata: { name: 'exists' }, data: { a: 'b' } }),
  });
  assert.equal(ok.status, 201, ok.body);
});
after(async () => {
  await s?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';
const cm = (o: object) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', ...o });
const pod = (spec: object, name = 'p') =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string | Buffer | (() => Promise<string>);
  headers?: Record<string, string>;
  anonymous?: boolean;
  code: number;
  reason: string;
  message?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    path: CM,
    body: '{"metadata": {',
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'malformed YAML',
    method: 'POST',
    path: CM,
    body: 'metadata: [unclosed',
    headers: { 'Content-Type': 'application/yaml' },
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'protobuf with a bad magic',
    method: 'POST',
    path: CM,
    body: Buffer.from('nope-not-k8s'),
    headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'protobuf truncated',
    method: 'POST',
    path: CM,
    body: Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff]),
    headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'unknown content type',
    method: 'POST',
    path: CM,
    body: 'x',
    headers: { 'Content-Type': 'text/plain' },
    code: 415,
    reason: 'UnsupportedMediaType',
  },
  { name: 'empty body', method: 'POST', path: CM, body: '', code: 400, reason: 'BadRequest' },
  { name: 'body is an array', method: 'POST', path: CM, body: '[1,2]', code: 400, reason: 'BadRequest' },
  { name: 'body is a string', method: 'POST', path: CM, body: '"cm"', code: 400, reason: 'BadRequest' },
  {
    name: 'metadata is a string',
    method: 'POST',
    path: CM,
    body: '{"metadata":"x"}',
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'oversized body',
    method: 'POST',
    path: CM,
    body: cm({ metadata: { name: 'big' }, data: { a: 'x'.repeat(4 * 1024 * 1024) } }),
    code: 413,
    reason: 'RequestEntityTooLarge',
  },
  {
    name: 'unknown resource',
    method: 'GET',
    path: '/api/v1/namespaces/default/foos',
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'unknown group',
    method: 'GET',
    path: '/apis/nope.example.com/v1/things',
    code: 404,
    reason: 'NotFound',
  },
  { name: 'unknown path', method: 'GET', path: '/nothing/here', code: 404, reason: 'NotFound' },
  { name: 'unknown subresource', method: 'GET', path: `${CM}/exists/foo`, code: 404, reason: 'NotFound' },
  {
    name: 'cluster-scoped kind under a namespace',
    method: 'GET',
    path: '/api/v1/namespaces/default/nodes',
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'missing object',
    method: 'GET',
    path: `${CM}/missing`,
    code: 404,
    reason: 'NotFound',
    message: /configmaps "missing" not found/,
  },
  {
    name: 'invalid name',
    method: 'POST',
    path: CM,
    body: cm({ metadata: { name: 'Bad_Name' } }),
    code: 422,
    reason: 'Invalid',
    message: /metadata.name/,
  },
  {
    name: 'name too long',
    method: 'POST',
    path: CM,
    body: cm({ metadata: { name: 'a'.repeat(300) } }),
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'no name nor generateName',
    method: 'POST',
    path: CM,
    body: cm({ metadata: {} }),
    code: 422,
    reason: 'Invalid',
    message: /name or generateName is required/,
  },
  {
    name: 'invalid label value',
    method: 'POST',
    path: CM,
    body: cm({ metadata: { name: 'l', labels: { a: 'not valid!' } } }),
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'invalid configmap key',
    method: 'POST',
    path: CM,
    body: cm({ metadata: { name: 'k' }, data: { 'bad key!': 'x' } }),
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'namespace mismatch',
    method: 'POST',
    path: CM,
    body: cm({ metadata: { name: 'm', namespace: 'other' } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'wrong apiVersion',
    method: 'POST',
    path: CM,
    body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'v' } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'wrong kind',
    method: 'POST',
    path: CM,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'w' } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'pod without containers',
    method: 'POST',
    path: PODS,
    body: pod({ containers: [] }),
    code: 422,
    reason: 'Invalid',
    message: /spec.containers: Required value/,
  },
  {
    name: 'container without image',
    method: 'POST',
    path: PODS,
    body: pod({ containers: [{ name: 'c' }] }),
    code: 422,
    reason: 'Invalid',
    message: /spec.containers\[0\].image: Required value/,
  },
  {
    name: 'bad restartPolicy',
    method: 'POST',
    path: PODS,
    body: pod({ restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'i' }] }),
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'pod in a missing namespace',
    method: 'POST',
    path: '/api/v1/namespaces/ghost/pods',
    body: pod({ containers: [{ name: 'c', image: 'i' }] }),
    code: 404,
    reason: 'NotFound',
    message: /namespaces "ghost" not found/,
  },
  {
    name: 'bad service type',
    method: 'POST',
    path: '/api/v1/namespaces/default/services',
    body: JSON.stringify({ metadata: { name: 's' }, spec: { type: 'Magic', ports: [{ port: 80 }] } }),
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'deployment selector not matching template',
    method: 'POST',
    path: '/apis/apps/v1/namespaces/default/deployments',
    body: JSON.stringify({
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    }),
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'already exists',
    method: 'POST',
    path: CM,
    body: cm({ metadata: { name: 'exists' } }),
    code: 409,
    reason: 'AlreadyExists',
    message: /configmaps "exists" already exists/,
  },
  {
    name: 'stale resourceVersion on update',
    method: 'PUT',
    path: `${CM}/exists`,
    body: cm({ metadata: { name: 'exists', resourceVersion: '1' } }),
    code: 409,
    reason: 'Conflict',
    message: /the object has been modified/,
  },
  {
    name: 'name in body differs from URL',
    method: 'PUT',
    path: `${CM}/exists`,
    body: cm({ metadata: { name: 'other' } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'update of a missing object',
    method: 'PUT',
    path: `${CM}/missing`,
    body: cm({ metadata: { name: 'missing' } }),
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'invalid resourceVersion on list',
    method: 'GET',
    path: `${CM}?resourceVersion=abc`,
    code: 400,
    reason: 'BadRequest',
  },
  { name: 'negative limit', method: 'GET', path: `${CM}?limit=-1`, code: 400, reason: 'BadRequest' },
  {
    name: 'garbage continue token',
    method: 'GET',
    path: `${CM}?limit=1&continue=garbage`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'resourceVersionMatch without resourceVersion',
    method: 'GET',
    path: `${CM}?resourceVersionMatch=Exact`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'malformed label selector',
    method: 'GET',
    path: `${CM}?labelSelector=${encodeURIComponent('a in (b')}`,
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'unsupported field selector',
    method: 'GET',
    path: `${CM}?fieldSelector=spec.foo%3Dbar`,
    code: 400,
    reason: 'BadRequest',
    message: /field label not supported: spec.foo/,
  },
  {
    name: 'bad fieldValidation value',
    method: 'POST',
    path: `${CM}?fieldValidation=Loose`,
    body: cm({ metadata: { name: 'fv' } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'strict unknown field',
    method: 'POST',
    path: `${CM}?fieldValidation=Strict`,
    body: cm({ metadata: { name: 'st' }, dataa: {} }),
    code: 400,
    reason: 'BadRequest',
    message: /unknown field "dataa"/,
  },
  {
    name: 'bad dryRun value',
    method: 'POST',
    path: `${CM}?dryRun=Maybe`,
    body: cm({ metadata: { name: 'dr' } }),
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'unknown patch type',
    method: 'PATCH',
    path: `${CM}/exists`,
    body: '{}',
    headers: { 'Content-Type': 'application/x-foo' },
    code: 415,
    reason: 'UnsupportedMediaType',
  },
  {
    name: 'json patch not an array',
    method: 'PATCH',
    path: `${CM}/exists`,
    body: '{"op":"add"}',
    headers: { 'Content-Type': 'application/json-patch+json' },
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'json patch test op fails',
    method: 'PATCH',
    path: `${CM}/exists`,
    body: '[{"op":"test","path":"/data/a","value":"zzz"}]',
    headers: { 'Content-Type': 'application/json-patch+json' },
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'merge patch malformed',
    method: 'PATCH',
    path: `${CM}/exists`,
    body: '{"data":',
    headers: { 'Content-Type': 'application/merge-patch+json' },
    code: 400,
    reason: 'BadRequest',
  },
  {
    name: 'patch of a missing object',
    method: 'PATCH',
    path: `${CM}/missing`,
    body: '{}',
    headers: { 'Content-Type': 'application/merge-patch+json' },
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'delete with a bogus propagationPolicy',
    method: 'DELETE',
    path: `${CM}/exists`,
    body: '{"propagationPolicy":"Bogus"}',
    code: 422,
    reason: 'Invalid',
  },
  {
    name: 'delete with a uid precondition mismatch',
    method: 'DELETE',
    path: `${CM}/exists`,
    body: '{"preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}',
    code: 409,
    reason: 'Conflict',
    message: /Precondition failed/,
  },
  {
    name: 'delete of a missing object',
    method: 'DELETE',
    path: `${CM}/missing`,
    code: 404,
    reason: 'NotFound',
  },
  {
    name: 'POST to an object path',
    method: 'POST',
    path: `${CM}/exists`,
    body: cm({ metadata: { name: 'exists' } }),
    code: 405,
    reason: 'MethodNotAllowed',
  },
  {
    name: 'PUT on a collection',
    method: 'PUT',
    path: CM,
    body: cm({ metadata: { name: 'x' } }),
    code: 405,
    reason: 'MethodNotAllowed',
  },
  { name: 'no credentials', method: 'GET', path: CM, anonymous: true, code: 401, reason: 'Unauthorized' },
  {
    name: 'scale to a negative count',
    method: 'PATCH',
    path: '/apis/apps/v1/namespaces/default/deployments/missing/scale',
    body: '{"spec":{"replicas":-1}}',
    headers: { 'Content-Type': 'application/merge-patch+json' },
    code: 404,
    reason: 'NotFound',
  },
];

test(`bad input: ${CASES.length} cases answer with upstream Status codes, never 5xx`, async () => {
  assert.ok(CASES.length >= 40);
  for (const tc of CASES) {
    const body = typeof tc.body === 'function' ? await tc.body() : tc.body;
    const r = await raw(c, tc.method, tc.path, { body, headers: tc.headers, anonymous: tc.anonymous });
    const where = `${tc.name}: ${tc.method} ${tc.path} → ${r.status} ${r.body.slice(0, 300)}`;
    assert.equal(r.status, tc.code, where);
    const st = r.json();
    assert.equal(st.kind, 'Status', where);
    assert.equal(st.status, 'Failure', where);
    assert.equal(st.reason, tc.reason, where);
    assert.equal(st.code, tc.code, where);
    if (tc.message) assert.match(st.message, tc.message, where);
  }
  // The server survived all of it.
  const health = await raw(c, 'GET', '/readyz');
  assert.equal(health.status, 200);
});
