// Drives the real kubectl (1.32 and 1.29) against a stub API server on 127.0.0.1 that serves
// legacy discovery plus these OpenAPI documents: `kubectl explain` must render them, and
// `kubectl create -f` must find the fieldValidation parameter and send fieldValidation=Strict,
// for a namespaced and a cluster-scoped kind alike.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEPLOYMENT, NAMESPACE, POD } from './fixtures.ts';
import { buildOpenApiV3 } from './openapi.ts';

const KUBECTL_TIMEOUT_MS = 60_000;

function kubectlPath(minor: number): string {
  const dispatcher = '/usr/bin/kubectl';
  const bin = existsSync(dispatcher) ? join(dirname(realpathSync(dispatcher)), `kubectl.1.${minor}`) : '';
  if (!bin || !existsSync(bin))
    throw new Error(`kubectl.1.${minor} not installed beside ${dispatcher}: this test needs it`);
  return bin;
}

const docs = buildOpenApiV3([POD, NAMESPACE, DEPLOYMENT], { version: 'v1.32.0' });

const resource = (name: string, kind: string, namespaced: boolean) => ({
  name,
  singularName: kind.toLowerCase(),
  namespaced,
  kind,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
});

const DISCOVERY: Record<string, unknown> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      {
        name: 'apps',
        versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
      },
    ],
  },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [resource('pods', 'Pod', true), resource('namespaces', 'Namespace', false)],
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'apps/v1',
    resources: [resource('deployments', 'Deployment', true)],
  },
};

const deployment = (containers: string[]) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: containers.map((name) => ({ name, image: `img-${name}` })) },
    },
  },
});

/** Query strings of the create requests the stub saw, by path. */
const creates: { path: string; query: URLSearchParams }[] = [];
/** Objects created through the stub, by item path, so apply can read them back. */
const stored = new Map<string, Record<string, unknown>>();
const patches: { path: string; type: string; query: URLSearchParams; body: Record<string, unknown> }[] = [];
let server: Server;
let dir: string;
let kubeconfig: string;

function send(res: ServerResponse, code: number, body: unknown): void {
  const json = Buffer.from(JSON.stringify(body));
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': json.length });
  res.end(json);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && DISCOVERY[url.pathname]) return send(res, 200, DISCOVERY[url.pathname]);
    if (req.method === 'GET' && url.pathname === '/openapi/v3') return send(res, 200, docs.root);
    if (req.method === 'GET' && url.pathname.startsWith('/openapi/v3/')) {
      const d = docs.docs.get(url.pathname.slice('/openapi/v3/'.length));
      if (d) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': d.json.length });
        return res.end(d.json);
      }
    }
    if (req.method === 'GET' && stored.has(url.pathname)) return send(res, 200, stored.get(url.pathname));
    if (req.method === 'POST') {
      creates.push({ path: url.pathname, query: url.searchParams });
      const obj = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      obj.metadata = {
        ...obj.metadata,
        uid: 'u1',
        resourceVersion: '1',
        creationTimestamp: '2026-01-01T00:00:00Z',
      };
      stored.set(`${url.pathname}/${obj.metadata.name}`, obj);
      return send(res, 201, obj);
    }
    if (req.method === 'PATCH' && stored.has(url.pathname)) {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      patches.push({
        path: url.pathname,
        type: req.headers['content-type'] ?? '',
        query: url.searchParams,
        body,
      });
      return send(res, 200, stored.get(url.pathname));
    }
    send(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-openapi-kubectl-'));
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
      'current-context': 'x',
    }),
  );
  writeFileSync(
    join(dir, 'pod.json'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    }),
  );
  writeFileSync(join(dir, 'deploy-1.json'), JSON.stringify(deployment(['a', 'b'])));
  writeFileSync(join(dir, 'deploy-2.json'), JSON.stringify(deployment(['b', 'c'])));
  writeFileSync(
    join(dir, 'ns.json'),
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'skiff-ns' } }),
  );
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(minor: number, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = kubectlPath(minor);
  return new Promise((resolve) => {
    execFile(
      bin,
      ['--kubeconfig', kubeconfig, ...args],
      // A private HOME keeps kubectl's discovery and HTTP caches inside the temp dir.
      { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: KUBECTL_TIMEOUT_MS },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('kubectl explain renders kinds and nested fields from the documents', async () => {
  const cases: [args: string[], expect: RegExp[]][] = [
    [
      ['explain', 'pods'],
      [/KIND:\s+Pod/, /VERSION:\s+v1/, /spec\s+<PodSpec>/, /collection of containers/],
    ],
    [
      ['explain', 'pods.spec.containers.ports'],
      [/FIELD: ports <\[\]ContainerPort>/, /containerPort\s+<integer> -required-/],
    ],
    [
      ['explain', 'namespaces.spec'],
      [/KIND:\s+Namespace/, /finalizers\s+<\[\]string>/],
    ],
    [
      ['explain', 'deployment.spec.strategy'],
      [/GROUP:\s+apps/, /FIELD: strategy <DeploymentStrategy>/, /rollingUpdate\s+<RollingUpdateDeployment>/],
    ],
    [['explain', 'deployment.spec.strategy.rollingUpdate.maxSurge'], [/FIELD: maxSurge <IntOrString>/]],
  ];
  for (const [args, expect] of cases) {
    const r = await kubectl(32, args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    for (const re of expect) assert.match(r.stdout, re, args.join(' '));
  }
  const missing = await kubectl(32, ['explain', 'pods.spec.nosuchfield']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /field "nosuchfield" does not exist/);
});

test('kubectl create -f sends fieldValidation=Strict for namespaced and cluster-scoped kinds', async () => {
  for (const minor of [32, 29]) {
    creates.length = 0;
    for (const file of ['pod.json', 'ns.json']) {
      const r = await kubectl(minor, ['create', '-f', join(dir, file)]);
      assert.equal(r.code, 0, `1.${minor} create ${file}: ${r.stderr}`);
    }
    assert.deepEqual(
      creates.map((c) => [c.path, c.query.get('fieldValidation')]),
      [
        ['/api/v1/namespaces/default/pods', 'Strict'],
        ['/api/v1/namespaces', 'Strict'],
      ],
      `kubectl 1.${minor}`,
    );
  }
});

test('kubectl apply reads the documents and computes a strategic merge patch', async () => {
  for (const file of ['deploy-1.json', 'deploy-2.json']) {
    const r = await kubectl(32, ['apply', '-f', join(dir, file)]);
    assert.equal(r.code, 0, `apply ${file}: ${r.stderr}`);
  }
  assert.equal(patches.length, 1);
  const [p] = patches;
  assert.equal(p.path, '/apis/apps/v1/namespaces/default/deployments/web');
  assert.equal(p.type, 'application/strategic-merge-patch+json');
  assert.equal(p.query.get('fieldValidation'), 'Strict');
  // Containers merged by name: `a` deleted by key, `c` added, order recorded.
  const spec = (p.body.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  assert.deepEqual(spec['$setElementOrder/containers'], [{ name: 'b' }, { name: 'c' }]);
  assert.deepEqual(spec.containers, [
    { image: 'img-c', name: 'c' },
    { $patch: 'delete', name: 'a' },
  ]);
});
