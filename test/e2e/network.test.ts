// skiff-test: whole-host — runs `skiff up` with the agent, whose service rules and ClusterIPs are
// host-wide, so scripts/test.sh runs these files one at a time after the rest.
// Services and networking of `skiff up` with real containers: cluster DNS (forwarding to a stub
// upstream this test starts on 127.0.0.x, named by --resolv-conf), ClusterIP load balancing and
// readiness, NodePort on 127.0.0.1, ClientIP affinity, headless and SRV records, and NetworkPolicy
// verdicts, each asserted by a real request from a pod. Host objects are scoped (SKIFF_AGENT_SCOPE).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { ENV_AGENT_PORT, ENV_HOST_SCOPE, ENV_POD_CIDR } from '../../src/cmd/node.ts';
import { nodeUtil } from '../../src/util/node-builtins.ts';
import { httpGet } from '../support/http-get.ts';
import { buildImage, busyboxRootfsLayer, dirToEntries, makeLayer, packTar } from '../support/images.ts';
import { pushImage, startRegistry, type TestRegistry } from '../support/registry.ts';
import { attempt, cleanUpScope, newRuntimeScope } from '../support/runtime-leaks.ts';
import { type Skiff, startSkiff } from './harness.ts';

/** How long a GET to a pod or port may take. */
const HTTP_TIMEOUT_MS = 2_000;

const scope = newRuntimeScope();
/** Neither the first node's 10.42.0.0/24 nor up.test.ts's. */
const POD_CIDR = '10.42.251.0/24';
/** The stub upstream resolver: loopback, port 53 (resolv.conf has no port). */
const STUB_HOST = '127.0.0.98';
const STUB_ANSWER = '192.0.2.77';
const EXTERNAL_NAME = 'outside.example.test';
const NODE_PORT = 30981;
const POLL_MS = 250;
const WAIT_MS = 90_000;
/** The brief's bound: an unready pod leaves rotation this fast. */
const UNREADY_WITHIN_MS = 2000;
const REPLICAS = 3;
/** The enforcer syncs 200 ms after a change; the budget covers kubectl and a busy machine. */
const POLICY_WAIT_MS = 15_000;
let skiff: Skiff;
let registry: TestRegistry;
let image: string;
let stub: Socket;
let confDir: string;
const stubQueries: string[] = [];

/**
 * The host's busybox is static glibc: its wget resolves names through NSS, which dlopens the
 * dns module at run time. This layer adds the host's (same glibc build) libraries and an
 * nsswitch.conf, so `wget http://web` resolves through the pod's resolv.conf like any libc client.
 */
const NSS_LIBS = [
  '/lib/x86_64-linux-gnu/libc.so.6',
  '/lib/x86_64-linux-gnu/libnss_dns.so.2',
  '/lib/x86_64-linux-gnu/libnss_files.so.2',
  '/lib/x86_64-linux-gnu/libresolv.so.2',
  '/lib64/ld-linux-x86-64.so.2',
];

async function nssLayer() {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-nss-'));
  try {
    for (const lib of NSS_LIBS) {
      await mkdir(join(dir, lib, '..'), { recursive: true });
      await copyFile(lib, join(dir, lib));
    }
    await mkdir(join(dir, 'etc'), { recursive: true });
    await writeFile(join(dir, 'etc/nsswitch.conf'), 'hosts: files dns\n');
    return makeLayer(await packTar(await dirToEntries(dir)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function kubectlUntil(args: string[], ok: (out: string) => boolean, what: string): Promise<string> {
  const end = Date.now() + WAIT_MS;
  let last = '';
  while (Date.now() < end) {
    const r = await skiff.kubectl(args);
    last = `${r.stdout}${r.stderr}`;
    if (r.code === 0 && ok(r.stdout)) return r.stdout;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out waiting for ${what}; last output:\n${last}\n${skiff.logs().slice(-3000)}`);
}

const execFileP = nodeUtil.promisify(execFile);

async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

async function apply(manifest: string): Promise<void> {
  const r = await skiff.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.equal(r.code, 0, r.stderr);
}

/** Runs a shell command in a pod; resolves with its exit code and output. */
async function inPod(pod: string, script: string, ns = 'default') {
  const r = await skiff.kubectl(['exec', '-n', ns, pod, '--', 'sh', '-c', script]);
  return { code: r.code, out: r.stdout.trim(), err: r.stderr };
}

/** The `id` page of the Service at `url` as seen from the client pod (wget, 2 s timeout). */
async function fetchFrom(pod: string, url: string, ns = 'default'): Promise<string> {
  const r = await inPod(pod, `timeout 2 wget -q -O - ${url}`, ns);
  if (r.code !== 0) throw new Error(`wget ${url} from ${pod}: ${r.out} ${r.err}`);
  return r.out;
}

/** Whether a TCP connection from `pod` to ip:port gets an HTTP answer within 2 s. */
async function connects(pod: string, ns: string, ip: string, port: number): Promise<boolean> {
  const r = await inPod(pod, `timeout 2 wget -q -O /dev/null http://${ip}:${port}/id`, ns);
  return r.code === 0;
}

/** Polls until the verdict is `want` (policies apply within a sync); returns the last verdict. */
async function verdict(pod: string, ns: string, ip: string, port: number, want: boolean): Promise<boolean> {
  const end = Date.now() + POLICY_WAIT_MS;
  let got = await connects(pod, ns, ip, port);
  while (got !== want && Date.now() < end) {
    await sleep(POLL_MS);
    got = await connects(pod, ns, ip, port);
  }
  return got;
}

/** A web pod: busybox httpd on 8080 serving its own name at /id; ready while /tmp/ready exists. */
const webPod = (name: string, labels: string, ns = 'default') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${image}
    command: [sh, -c, 'mkdir -p /tmp/w && hostname > /tmp/w/id && touch /tmp/ready && exec httpd -f -p 8080 -h /tmp/w']
    ports: [{name: http, containerPort: 8080}]
    readinessProbe:
      exec: {command: [test, -f, /tmp/ready]}
      periodSeconds: 1
      failureThreshold: 1
`;

/** The policy target: httpd on 8080 and 9090. */
const dbPod = () => `
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: np, labels: {app: db}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: db
    image: ${image}
    command: [sh, -c, 'mkdir -p /tmp/w && hostname > /tmp/w/id && httpd -p 9090 -h /tmp/w && exec httpd -f -p 8080 -h /tmp/w']
`;

const clientPod = (name: string, ns = 'default', labels = 'role: client') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: ${image}
    command: [sleep, '3600']
`;

async function podIP(name: string, ns = 'default'): Promise<string> {
  const out = await kubectlUntil(
    ['get', 'pod', '-n', ns, name, '-o', 'jsonpath={.status.phase} {.status.podIP}'],
    (o) => /^Running \d/.test(o),
    `${ns}/${name} Running`,
  );
  return out.split(' ')[1] ?? '';
}

before(async () => {
  if (process.getuid?.() !== 0) throw new Error('network e2e needs root (runc, iptables, netns)');
  stub = createSocket('udp4');
  stub.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const name = q.questions?.[0]?.name ?? '';
    stubQueries.push(name);
    const answers =
      q.questions?.[0]?.type === 'A'
        ? [{ type: 'A' as const, name, ttl: 30, class: 'IN' as const, data: STUB_ANSWER }]
        : [];
    stub.send(
      dnsPacket.encode({ type: 'response', id: q.id, questions: q.questions, answers }),
      rinfo.port,
      rinfo.address,
    );
  });
  await new Promise<void>((r) => stub.bind(53, STUB_HOST, () => r()));
  confDir = await mkdtemp(join(tmpdir(), 'skiff-nete2e-'));
  await writeFile(join(confDir, 'resolv.conf'), `nameserver ${STUB_HOST}\n`);
  registry = await startRegistry();
  await pushImage(
    registry.url,
    'skiff/busybox',
    '1',
    buildImage([await busyboxRootfsLayer(), await nssLayer()], { cmd: ['sh'] }),
  );
  image = `${registry.host}/skiff/busybox:1`;
  skiff = await startSkiff({
    command: 'up',
    fromSource: true,
    dataDir: scope.stateDir,
    args: ['--resolv-conf', join(confDir, 'resolv.conf')],
    env: { [ENV_HOST_SCOPE]: scope.tag, [ENV_POD_CIDR]: POD_CIDR, [ENV_AGENT_PORT]: '0' },
  });
  await kubectlUntil(
    ['get', 'configmap', 'kube-root-ca.crt', '-o', 'name'],
    (o) => o.includes('kube-root-ca.crt'),
    'kube-root-ca.crt',
  );
  await apply(
    [1, 2, 3].map((i) => webPod(`web-${i}`, 'app: web')).join('---\n') +
      `---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-sticky}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: ${NODE_PORT}}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: outside}
spec:
  type: ExternalName
  externalName: ${EXTERNAL_NAME}
---
${clientPod('client')}`,
  );
  for (const p of ['web-1', 'web-2', 'web-3', 'client']) await podIP(p);
  // The pods being Running does not mean the service proxy has rules for their Services yet: a
  // request to a ClusterIP the proxy has not seen follows the host's default route, out of the
  // machine (a CI run once got a 404 from whatever answered there). Wait for the NAT rules that
  // send each ClusterIP to its endpoints, reading iptables, not sending traffic.
  for (const svc of ['web', 'web-sticky', 'web-np']) {
    const ip = (
      await kubectlUntil(['get', 'svc', svc, '-o', 'jsonpath={.spec.clusterIP}'], Boolean, `${svc} IP`)
    ).trim();
    await until(`the proxy's rules for ${svc} (${ip})`, async () => {
      const { stdout } = await execFileP('iptables-save', ['-t', 'nat']);
      return stdout.includes(`-d ${ip}/32`);
    });
  }
});

after(async () => {
  const errors: string[] = [];
  await attempt(errors, 'skiff stop', async () => skiff?.stop());
  await attempt(errors, 'registry stop', async () => registry?.stop());
  await attempt(errors, 'stub stop', () => new Promise<void>((r) => (stub ? stub.close(() => r()) : r())));
  const { busy, leaks } = await cleanUpScope(scope, errors, { serviceChains: true });
  await attempt(errors, 'data dir', () => rm(scope.stateDir, { recursive: true, force: true }));
  await attempt(errors, 'conf dir', () => rm(confDir, { recursive: true, force: true }));
  assert.deepEqual(errors, [], 'every clean-up step succeeded');
  assert.deepEqual(busy, [], 'no busy cgroups');
  assert.deepEqual(leaks, [], 'no netns, mount, cgroup, bridge, iptables chain or process left');
});

describe('skiff up networking', () => {
  it('gives pods the cluster resolv.conf', async () => {
    const r = await inPod('client', 'cat /etc/resolv.conf');
    assert.match(r.out, /^nameserver 10\.43\.0\.10$/m);
    assert.match(r.out, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
    assert.match(r.out, /^options ndots:5$/m);
  });

  it('reaches a Service by its short, namespaced and full names', async () => {
    const names = ['web-1', 'web-2', 'web-3'];
    for (const host of ['web', 'web.default', 'web.default.svc.cluster.local']) {
      const id = await fetchFrom('client', `http://${host}/id`);
      assert.ok(names.includes(id), `${host} answered ${id}`);
    }
  });

  it('spreads requests over every endpoint', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < REPLICAS; i++) seen.add(await fetchFrom('client', 'http://web/id'));
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2', 'web-3']);
  });

  it('answers a NodePort on 127.0.0.1', async () => {
    const id = (await httpGet(`http://127.0.0.1:${NODE_PORT}/id`, HTTP_TIMEOUT_MS)).trim();
    assert.match(id, /^web-[123]$/);
  });

  it('keeps a client on one endpoint with ClientIP affinity', async () => {
    const first = await fetchFrom('client', 'http://web-sticky/id');
    for (let i = 0; i < 8; i++) assert.equal(await fetchFrom('client', 'http://web-sticky/id'), first);
  });

  it('resolves a headless Service to every ready pod IP and answers SRV', async () => {
    const ips = await Promise.all(['web-1', 'web-2', 'web-3'].map((p) => podIP(p)));
    const a = await inPod('client', 'nslookup web-headless.default.svc.cluster.local');
    assert.equal(a.code, 0, a.err);
    for (const ip of ips) assert.ok(a.out.includes(ip), `${ip} in\n${a.out}`);
    const srv = await inPod('client', 'nslookup -type=srv _http._tcp.web.default.svc.cluster.local');
    assert.equal(srv.code, 0, srv.err);
    assert.match(srv.out, /80 web\.default\.svc\.cluster\.local/);
  });

  it('forwards names outside the cluster to the upstream resolver', async () => {
    const r = await inPod('client', `nslookup ${EXTERNAL_NAME}.`);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.includes(STUB_ANSWER), r.out);
    assert.ok(stubQueries.some((q) => q === EXTERNAL_NAME));
    // An ExternalName Service is a CNAME (as CoreDNS answers); the client chases the target upstream.
    const cname = await inPod('client', 'nslookup outside.default.svc.cluster.local');
    assert.match(cname.out, new RegExp(`canonical name = ${EXTERNAL_NAME.replaceAll('.', '\\.')}`));
  });

  it('takes an unready pod out of rotation within 2 s', async () => {
    const r = await inPod('web-3', 'rm /tmp/ready');
    assert.equal(r.code, 0, r.err);
    const t0 = Date.now();
    // Gone once 12 requests in a row miss it (chance of a false pass with 3 endpoints: (2/3)^12 < 1%).
    let lastSeen = t0;
    let streak = 0;
    while (streak < 12) {
      if ((await fetchFrom('client', 'http://web/id')) === 'web-3') {
        lastSeen = Date.now();
        streak = 0;
      } else streak++;
      assert.ok(Date.now() - t0 < 30_000, 'web-3 never left rotation');
    }
    await inPod('web-3', 'touch /tmp/ready');
    assert.ok(
      lastSeen - t0 < UNREADY_WITHIN_MS,
      `web-3 still answered ${lastSeen - t0} ms after turning unready`,
    );
  });

  it('enforces NetworkPolicy: default deny, allow from a namespace, one port, egress deny', async () => {
    await apply(`
apiVersion: v1
kind: Namespace
metadata: {name: np}
---
apiVersion: v1
kind: Namespace
metadata: {name: trusted, labels: {team: trusted}}
---
${dbPod()}
---
${clientPod('np-client', 'np')}
---
${clientPod('t-client', 'trusted')}`);
    const db = await podIP('db', 'np');
    await podIP('np-client', 'np');
    await podIP('t-client', 'trusted');
    const web1 = await podIP('web-1');
    // No policy: everyone gets in.
    assert.equal(await verdict('client', 'default', db, 8080, true), true, 'open before any policy');

    await apply(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: np}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]`);
    assert.equal(await verdict('client', 'default', db, 8080, false), false, 'default deny: other namespace');
    assert.equal(await verdict('np-client', 'np', db, 8080, false), false, 'default deny: same namespace');
    assert.equal(await verdict('t-client', 'trusted', db, 9090, false), false, 'default deny: trusted ns');
    // Ingress isolation does not touch the isolated pod's own connections out.
    assert.equal(await verdict('db', 'np', web1, 8080, true), true, 'db still reaches out');

    await apply(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-trusted, namespace: np}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: trusted}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np-9090, namespace: np}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {}}]
    ports: [{port: 9090}]`);
    assert.equal(await verdict('t-client', 'trusted', db, 8080, true), true, 'trusted namespace: 8080');
    assert.equal(await verdict('t-client', 'trusted', db, 9090, true), true, 'trusted namespace: 9090');
    assert.equal(await verdict('np-client', 'np', db, 9090, true), true, 'same namespace: allowed port');
    assert.equal(await verdict('np-client', 'np', db, 8080, false), false, 'same namespace: other port');
    assert.equal(await verdict('client', 'default', db, 9090, false), false, 'default namespace: none');

    await apply(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress-deny, namespace: np}
spec:
  podSelector: {matchLabels: {role: client}}
  policyTypes: [Egress]`);
    assert.equal(await verdict('np-client', 'np', web1, 8080, false), false, 'egress deny: to another pod');
    assert.equal(
      await verdict('np-client', 'np', db, 9090, false),
      false,
      'egress deny beats db ingress allow',
    );
    assert.equal(await verdict('client', 'default', web1, 8080, true), true, 'pods outside np unaffected');

    const del = await skiff.kubectl(['delete', 'networkpolicy', '-n', 'np', '--all']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(await verdict('client', 'default', db, 8080, true), true, 'open again without policies');
  });
});
