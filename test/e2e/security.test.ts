// Security and multi-tenancy against a real skiff server process and the real kubectl: two tenants
// with `edit` in their own namespace (static tokens), the isolation matrix (every verb on every
// namespaced resource in the other tenant's namespace → 403), `auth can-i --list`, TokenRequest
// and pod-bound tokens, PodSecurity, ResourceQuota, LimitRange defaults, the audit log and
// secrets encrypted at rest.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kubectlBinary, type Skiff, startSkiff } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-e2e-sec-'));
const TOKENS = { alice: randomBytes(16).toString('hex'), bob: randomBytes(16).toString('hex') };
const SECRET_VALUE = 'skiff-plaintext-canary-7f3a';
let s: Skiff;
let ca: string;

before(async () => {
  writeFileSync(
    join(dir, 'tokens.csv'),
    `${TOKENS.alice},alice,uid-alice,"tenants"\n${TOKENS.bob},bob,uid-bob\n`,
  );
  writeFileSync(
    join(dir, 'audit-policy.yaml'),
    `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
- level: RequestResponse
  resources:
  - group: ""
    resources: ["configmaps"]
- level: Metadata
`,
  );
  writeFileSync(
    join(dir, 'encryption.yaml'),
    `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aesgcm:
      keys:
      - name: key1
        secret: ${randomBytes(32).toString('base64')}
  - identity: {}
`,
  );
  s = await startSkiff({
    args: [
      '--token-auth-file',
      join(dir, 'tokens.csv'),
      '--audit-policy-file',
      join(dir, 'audit-policy.yaml'),
      '--audit-log-path',
      join(dir, 'audit.log'),
      '--encryption-provider-config',
      join(dir, 'encryption.yaml'),
    ],
  });
  ca = readFileSync(join(s.dataDir, 'tls', 'ca.crt'), 'utf8');
  for (const ns of ['tenant-a', 'tenant-b', 'locked', 'open']) await admin(['create', 'namespace', ns]);
  await admin([
    'create',
    'rolebinding',
    'alice-edit',
    '--clusterrole=edit',
    '--user=alice',
    '-n',
    'tenant-a',
  ]);
  await admin(['create', 'rolebinding', 'bob-edit', '--clusterrole=edit', '--user=bob', '-n', 'tenant-b']);
});
after(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function admin(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, { input });
  if (r.code !== 0) assert.fail(`kubectl ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** kubectl with only a bearer token (no client certificate), against the cluster CA. */
function kubectlAs(
  token: string,
  args: string[],
  input = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(
      kubectlBinary(),
      [
        '--kubeconfig',
        '/dev/null',
        '--server',
        s.url,
        '--certificate-authority',
        join(s.dataDir, 'tls', 'ca.crt'),
        '--token',
        token,
        ...args,
      ],
      { env: { ...process.env, HOME: dir, KUBECONFIG: '' }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input);
  });
}

/** One raw HTTPS request with a token: the isolation matrix needs hundreds, kubectl is too slow. */
function call(
  token: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: '127.0.0.1',
        port: s.port,
        method,
        path,
        ca,
        agent: false,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(data ? { 'Content-Type': contentType, 'Content-Length': data.length } : {}),
        },
      },
      (res) => {
        let out = '';
        res.on('data', (d) => (out += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

interface NamespacedResource {
  base: string;
  name: string;
  kind: string;
  apiVersion: string;
}

/** Every namespaced resource (not subresource) the server serves, from discovery. */
async function namespacedResources(token: string): Promise<NamespacedResource[]> {
  const out: NamespacedResource[] = [];
  const versions: [string, string][] = [['/api/v1', 'v1']];
  const groups = JSON.parse((await call(token, 'GET', '/apis')).body);
  for (const g of groups.groups)
    versions.push([`/apis/${g.preferredVersion.groupVersion}`, g.preferredVersion.groupVersion]);
  for (const [base, apiVersion] of versions) {
    const list = JSON.parse((await call(token, 'GET', base)).body);
    for (const r of list.resources)
      if (r.namespaced && !r.name.includes('/') && r.verbs.includes('list'))
        out.push({ base, name: r.name, kind: r.kind, apiVersion });
  }
  return out;
}

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;

function requestFor(
  r: NamespacedResource,
  ns: string,
  verb: (typeof VERBS)[number],
): [string, string, unknown?, string?] {
  const coll = `${r.base}/namespaces/${ns}/${r.name}`;
  const obj = { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: 'probe', namespace: ns } };
  switch (verb) {
    case 'get':
      return ['GET', `${coll}/probe`];
    case 'list':
      return ['GET', coll];
    case 'watch':
      return ['GET', `${coll}?watch=1&timeoutSeconds=1`];
    case 'create':
      return ['POST', coll, obj];
    case 'update':
      return ['PUT', `${coll}/probe`, obj];
    case 'patch':
      return ['PATCH', `${coll}/probe`, { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json'];
    case 'delete':
      return ['DELETE', `${coll}/probe`];
    case 'deletecollection':
      return ['DELETE', coll];
  }
}

describe('tenant isolation', () => {
  test('every verb on every namespaced resource in the other tenant namespace is forbidden', async () => {
    const resources = await namespacedResources(TOKENS.alice);
    assert.ok(resources.length >= 20, `only ${resources.length} namespaced resources`);
    const allowed: string[] = [];
    let forbidden = 0;
    for (const [user, other] of [
      ['alice', 'tenant-b'],
      ['bob', 'tenant-a'],
    ] as const) {
      for (const r of resources) {
        for (const verb of VERBS) {
          const [method, path, body, type] = requestFor(r, other, verb);
          const res = await call(TOKENS[user], method, path, body, type);
          if (res.status === 403) forbidden++;
          else allowed.push(`${user} ${verb} ${r.name} in ${other}: ${res.status}`);
        }
      }
    }
    assert.deepEqual(allowed, [], 'cross-tenant requests that were not refused');
    assert.equal(forbidden, resources.length * VERBS.length * 2);
  });

  test('each tenant works in its own namespace, and kubectl prints the upstream 403', async () => {
    const mine = await kubectlAs(TOKENS.alice, [
      '-n',
      'tenant-a',
      'create',
      'configmap',
      'alice-cm',
      '--from-literal=k=v',
    ]);
    assert.equal(mine.code, 0, mine.stderr);
    for (const verb of VERBS) {
      const [method, path, body, type] = requestFor(
        { base: '/api/v1', name: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1' },
        'tenant-a',
        verb,
      );
      const res = await call(TOKENS.alice, method, path, body, type);
      assert.notEqual(res.status, 403, `alice ${verb} configmaps in tenant-a: ${res.body}`);
    }
    const theirs = await kubectlAs(TOKENS.alice, ['-n', 'tenant-b', 'get', 'pods']);
    assert.notEqual(theirs.code, 0);
    assert.match(
      theirs.stderr,
      /Error from server \(Forbidden\): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "tenant-b"/,
    );
    const nodes = await kubectlAs(TOKENS.bob, ['get', 'nodes']);
    assert.match(
      nodes.stderr,
      /User "bob" cannot list resource "nodes" in API group "" at the cluster scope/,
    );
  });

  test('auth can-i and can-i --list answer per user', async () => {
    assert.equal(
      (
        await kubectlAs(TOKENS.alice, ['auth', 'can-i', 'create', 'deployments', '-n', 'tenant-a'])
      ).stdout.trim(),
      'yes',
    );
    assert.equal(
      (
        await kubectlAs(TOKENS.alice, ['auth', 'can-i', 'create', 'deployments', '-n', 'tenant-b'])
      ).stdout.trim(),
      'no',
    );
    for (const [user, ns, other] of [
      ['alice', 'tenant-a', 'tenant-b'],
      ['bob', 'tenant-b', 'tenant-a'],
    ] as const) {
      const own = await kubectlAs(TOKENS[user], ['auth', 'can-i', '--list', '-n', ns]);
      assert.equal(own.code, 0, own.stderr);
      assert.match(own.stdout, /^pods\s+\[\]\s+\[\]\s+\[.*create.*\]/m);
      assert.match(own.stdout, /deployments\.apps/);
      const foreign = await kubectlAs(TOKENS[user], ['auth', 'can-i', '--list', '-n', other]);
      assert.doesNotMatch(foreign.stdout, /^pods\s/m);
      assert.match(foreign.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io/);
    }
    const who = await kubectlAs(TOKENS.alice, ['auth', 'whoami', '-o', 'json']);
    assert.deepEqual(JSON.parse(who.stdout).status.userInfo, {
      username: 'alice',
      uid: 'uid-alice',
      groups: ['tenants', 'system:authenticated'],
    });
  });

  test('a tenant cannot grant itself more than it holds', async () => {
    const r = await kubectlAs(TOKENS.alice, [
      '-n',
      'tenant-a',
      'create',
      'rolebinding',
      'sneaky',
      '--clusterrole=cluster-admin',
      '--user=alice',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /forbidden/);
  });
});

describe('service account tokens', () => {
  test('kubectl create token, and a pod-bound token stops working once the pod is deleted', async () => {
    await admin(['-n', 'tenant-a', 'create', 'serviceaccount', 'robot']);
    await admin([
      '-n',
      'tenant-a',
      'create',
      'rolebinding',
      'robot-view',
      '--clusterrole=view',
      '--serviceaccount=tenant-a:robot',
    ]);
    const plain = (await admin(['-n', 'tenant-a', 'create', 'token', 'robot', '--duration=15m'])).trim();
    const who = await kubectlAs(plain, ['auth', 'whoami', '-o', 'json']);
    assert.equal(JSON.parse(who.stdout).status.userInfo.username, 'system:serviceaccount:tenant-a:robot');
    assert.equal((await kubectlAs(plain, ['-n', 'tenant-a', 'get', 'configmaps', '-o', 'name'])).code, 0);
    assert.notEqual((await kubectlAs(plain, ['-n', 'tenant-b', 'get', 'configmaps'])).code, 0);

    await admin([
      '-n',
      'tenant-a',
      'run',
      'holder',
      '--image=busybox',
      '--overrides={"spec":{"serviceAccountName":"robot"}}',
    ]);
    const pod = JSON.parse(await admin(['-n', 'tenant-a', 'get', 'pod', 'holder', '-o', 'json']));
    assert.ok(pod.spec.volumes.some((v: { name: string }) => v.name.startsWith('kube-api-access-')));
    const bound = (
      await admin([
        '-n',
        'tenant-a',
        'create',
        'token',
        'robot',
        '--bound-object-kind=Pod',
        '--bound-object-name=holder',
      ])
    ).trim();
    const claims = JSON.parse(Buffer.from(bound.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'holder', uid: pod.metadata.uid });
    assert.equal((await kubectlAs(bound, ['auth', 'whoami'])).code, 0);
    await admin(['-n', 'tenant-a', 'delete', 'pod', 'holder', '--wait=false']);
    let after = await kubectlAs(bound, ['auth', 'whoami']);
    for (let i = 0; i < 20 && after.code === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await kubectlAs(bound, ['auth', 'whoami']);
    }
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /Unauthorized/);
    assert.equal((await kubectlAs(plain, ['auth', 'whoami'])).code, 0, 'the unbound token still works');
  });
});

const PRIVILEGED_POD = (ns: string) => `apiVersion: v1
kind: Pod
metadata: {name: rooty, namespace: ${ns}}
spec:
  hostNetwork: true
  hostPID: true
  volumes: [{name: host, hostPath: {path: /}}]
  containers:
  - name: c
    image: busybox
    securityContext: {privileged: true, runAsUser: 0, capabilities: {add: [SYS_ADMIN]}}
`;

describe('admission', () => {
  test('PodSecurity restricted rejects a privileged pod with upstream message; privileged namespace admits it', async () => {
    await admin(['label', 'namespace', 'locked', 'pod-security.kubernetes.io/enforce=restricted']);
    await admin(['label', 'namespace', 'open', 'pod-security.kubernetes.io/enforce=privileged']);
    const r = await s.kubectl(['apply', '-f', '-'], { input: PRIVILEGED_POD('locked') });
    assert.notEqual(r.code, 0);
    const msg = r.stderr;
    assert.match(msg, /pods "rooty" is forbidden: violates PodSecurity "restricted:latest": /);
    for (const part of [
      'host namespaces (hostNetwork=true, hostPID=true)',
      'hostPath volumes (volume "host")',
      'privileged (container "c" must not set securityContext.privileged=true)',
      'non-default capabilities (container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
      'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true)',
      'runAsUser=0 (container "c" must not set runAsUser=0)',
    ])
      assert.ok(msg.includes(part), `missing ${part} in\n${msg}`);
    await admin(['apply', '-f', '-'], PRIVILEGED_POD('open'));
  });

  test('ResourceQuota refuses past the limit with upstream message and tracks usage', async () => {
    await admin(['-n', 'tenant-b', 'create', 'quota', 'small', '--hard=pods=1,count/configmaps=5']);
    await admin(['-n', 'tenant-b', 'run', 'one', '--image=busybox']);
    const r = await s.kubectl(['-n', 'tenant-b', 'run', 'two', '--image=busybox']);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /pods "two" is forbidden: exceeded quota: small, requested: pods=1, used: pods=1, limited: pods=1/,
    );
    let used: Record<string, string> = {};
    for (let i = 0; i < 30; i++) {
      used =
        JSON.parse(await admin(['-n', 'tenant-b', 'get', 'quota', 'small', '-o', 'json'])).status?.used ?? {};
      if (used.pods === '1') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(used.pods, '1');
  });

  test('LimitRange defaults are applied to containers without resources', async () => {
    await admin(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: tenant-a}
spec:
  limits:
  - type: Container
    default: {cpu: 300m, memory: 128Mi}
    defaultRequest: {cpu: 100m}
`,
    );
    await admin(['-n', 'tenant-a', 'run', 'lr', '--image=busybox']);
    const pod = JSON.parse(await admin(['-n', 'tenant-a', 'get', 'pod', 'lr', '-o', 'json']));
    assert.deepEqual(pod.spec.containers[0].resources, {
      limits: { cpu: '300m', memory: '128Mi' },
      requests: { cpu: '100m', memory: '128Mi' },
    });
  });
});

describe('audit and encryption', () => {
  test('audit log has one event per request at the configured level', async () => {
    await kubectlAs(TOKENS.bob, ['-n', 'tenant-b', 'create', 'configmap', 'audited', '--from-literal=x=y']);
    await kubectlAs(TOKENS.bob, ['-n', 'tenant-b', 'get', 'pods']);
    // Events are written as responses complete, through a file stream: wait for bob's list.
    const read = () =>
      readFileSync(join(dir, 'audit.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    let events = read();
    for (let i = 0; i < 50; i++) {
      if (
        events.some(
          (e) => e.verb === 'list' && e.objectRef?.namespace === 'tenant-b' && e.user.username === 'bob',
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
      events = read();
    }
    const cm = events.find(
      (e) =>
        e.verb === 'create' &&
        e.objectRef?.resource === 'configmaps' &&
        e.objectRef?.namespace === 'tenant-b' &&
        e.user.username === 'bob',
    );
    assert.ok(cm, 'configmap create by bob');
    assert.equal(cm.level, 'RequestResponse');
    assert.equal(cm.stage, 'ResponseComplete');
    assert.equal(cm.responseStatus.code, 201, JSON.stringify(cm.responseStatus));
    assert.equal(cm.requestObject.metadata.name, 'audited');
    assert.equal(cm.responseObject.metadata.name, 'audited');
    const list = events.find(
      (e) =>
        e.verb === 'list' &&
        e.objectRef?.resource === 'pods' &&
        e.objectRef?.namespace === 'tenant-b' &&
        e.user.username === 'bob',
    );
    assert.equal(list.level, 'Metadata');
    assert.equal(list.requestObject, undefined);
    assert.deepEqual(list.objectRef, { resource: 'pods', namespace: 'tenant-b', apiVersion: 'v1' });
    const denied = events.find((e) => e.user.username === 'alice' && e.responseStatus.code === 403);
    assert.equal(denied.responseStatus.reason, 'Forbidden');
    assert.ok(!events.some((e) => e.requestURI?.startsWith('/healthz')));
    for (const e of events)
      assert.match(e.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  test('secrets are encrypted at rest but read back in plaintext', async () => {
    await admin([
      '-n',
      'tenant-a',
      'create',
      'secret',
      'generic',
      'canary',
      `--from-literal=value=${SECRET_VALUE}`,
    ]);
    const got = JSON.parse(await admin(['-n', 'tenant-a', 'get', 'secret', 'canary', '-o', 'json']));
    assert.equal(Buffer.from(got.data.value, 'base64').toString(), SECRET_VALUE);
    const dbDir = join(s.dataDir, 'db');
    assert.ok(existsSync(dbDir));
    const b64 = Buffer.from(SECRET_VALUE).toString('base64');
    let sawCiphertext = false;
    for (const f of readdirSync(dbDir)) {
      const raw = readFileSync(join(dbDir, f));
      assert.ok(!raw.includes(SECRET_VALUE) && !raw.includes(b64), `${f} holds the secret in plaintext`);
      if (raw.includes('k8s:enc:aesgcm:v1:key1:')) sawCiphertext = true;
    }
    assert.ok(sawCiphertext, 'no aesgcm ciphertext found in the store');
  });
});
