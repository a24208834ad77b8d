// skiff-test: whole-host — runs `skiff up` with the agent, whose service rules and ClusterIPs are
// host-wide, so scripts/test.sh runs these files one at a time after the rest.
// `skiff up`: the all-in-one process runs the node agent as system:node:<hostname>, the Node turns
// Ready, and a pod run with kubectl (test-registry image) reaches Running on it and is deleted.
// Host objects are scoped (SKIFF_AGENT_SCOPE) so the leak check sees only this run's.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { ENV_AGENT_PORT, ENV_HOST_SCOPE, ENV_POD_CIDR } from '../../src/cmd/node.ts';
import { httpGet } from '../support/http-get.ts';
import { busyboxImage, WEB_PAGE } from '../support/images.ts';
import { pushImage, startRegistry, type TestRegistry } from '../support/registry.ts';
import { attempt, cleanUpScope, newRuntimeScope } from '../support/runtime-leaks.ts';
import { type Skiff, startSkiff } from './harness.ts';

/** How long a GET to a pod or port may take. */
const HTTP_TIMEOUT_MS = 2_000;

const scope = newRuntimeScope();
/** Not the first node's 10.42.0.0/24, so a real cluster on this machine is not disturbed. */
const POD_CIDR = '10.42.252.0/24';
const NODE = hostname().toLowerCase();
const POLL_MS = 250;
const WAIT_MS = 60_000;
/** The agent looks for deleted local-path volumes every 30 s. */
const LOCAL_PATH_SWEEP_WAIT_MS = 45_000;
let skiff: Skiff;
let registry: TestRegistry;
let image: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs kubectl until `ok(stdout)` holds; returns that stdout. */
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

/** `skiff up` on the scope's data dir (kept across restarts), with scoped host objects. */
const startUp = () =>
  startSkiff({
    command: 'up',
    fromSource: true,
    dataDir: scope.stateDir,
    env: { [ENV_HOST_SCOPE]: scope.tag, [ENV_POD_CIDR]: POD_CIDR, [ENV_AGENT_PORT]: '0' },
  });

before(async () => {
  if (process.getuid?.() !== 0) throw new Error('skiff up e2e needs root (runc, mounts, cgroups, netns)');
  registry = await startRegistry();
  await pushImage(registry.url, 'skiff/busybox', '1', await busyboxImage({ cmd: ['sh'] }));
  image = `${registry.host}/skiff/busybox:1`;
  skiff = await startUp();
  // Pods mount kube-root-ca.crt (service-account volume): the root-CA publisher puts it in every namespace.
  await kubectlUntil(
    ['get', 'configmap', 'kube-root-ca.crt', '-o', 'name'],
    (o) => o.includes('kube-root-ca.crt'),
    'kube-root-ca.crt',
  );
});

after(async () => {
  const errors: string[] = [];
  // SIGTERM: the server stops its agent (containers would keep running), then itself.
  await attempt(errors, 'skiff stop', async () => skiff?.stop());
  await attempt(errors, 'registry stop', async () => registry?.stop());
  const { busy, leaks } = await cleanUpScope(scope, errors, { serviceChains: true });
  await attempt(errors, 'data dir', () => rm(scope.stateDir, { recursive: true, force: true }));
  assert.deepEqual(errors, [], 'every clean-up step succeeded');
  assert.deepEqual(busy, [], 'no busy cgroups');
  assert.deepEqual(leaks, [], 'no netns, mount, cgroup, bridge, iptables chain or process left');
});

describe('skiff up', () => {
  it('registers this machine as a Ready node', async () => {
    const out = await kubectlUntil(
      ['get', 'nodes', '--no-headers'],
      (o) => new RegExp(`^${NODE}\\s+Ready\\s`, 'm').test(o),
      'node Ready',
    );
    assert.match(out, new RegExp(`^${NODE}\\s+Ready\\s`, 'm'));
    const cidr = await skiff.kubectl(['get', 'node', NODE, '-o', 'jsonpath={.spec.podCIDR}']);
    assert.equal(cidr.stdout, POD_CIDR);
  });

  it('runs a pod from kubectl to Running, serving on its pod IP, and deletes it', async () => {
    const run = await skiff.kubectl([
      'run',
      'web',
      `--image=${image}`,
      '--restart=Never',
      '--',
      'httpd',
      '-f',
      '-p',
      '8080',
      '-h',
      '/www',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const t0 = Date.now();
    const line = await kubectlUntil(
      ['get', 'pod', 'web', '-o', 'jsonpath={.status.phase} {.spec.nodeName} {.status.podIP}'],
      (o) => o.startsWith('Running '),
      'pod Running',
    );
    const startMs = Date.now() - t0;
    assert.ok(startMs < 20_000, `pod took ${startMs} ms to run`);
    const [, nodeName, podIP] = line.split(' ');
    assert.equal(nodeName, NODE);
    assert.match(podIP ?? '', /^10\.42\.252\.\d+$/);
    const table = await skiff.kubectl(['get', 'pod', 'web', '--no-headers']);
    assert.match(table.stdout, /^web\s+1\/1\s+Running\s+0\s/);
    assert.equal(await httpGet(`http://${podIP}:8080/index.html`, HTTP_TIMEOUT_MS), WEB_PAGE);
    // Through the API server to the agent's API: exec and logs, as kubectl does them.
    const exec = await skiff.kubectl(['exec', 'web', '--', 'cat', '/www/index.html']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout, WEB_PAGE);
    const echoed = await skiff.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo from-exec > /proc/1/fd/1']);
    assert.equal(echoed.code, 0, echoed.stderr);
    const logs = await kubectlUntil(
      ['logs', 'web'],
      (o) => o.includes('from-exec'),
      'the line in kubectl logs',
    );
    assert.match(logs, /from-exec/);

    // busybox httpd as PID 1 ignores SIGTERM: a short grace period keeps the test quick.
    const d0 = Date.now();
    const del = await skiff.kubectl(['delete', 'pod', 'web', '--grace-period=3', '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
    assert.ok(Date.now() - d0 < 15_000, `deletion took ${Date.now() - d0} ms`);
    assert.match(del.stdout, /pod "web" deleted/);
    const gone = await skiff.kubectl(['get', 'pod', 'web']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound|not found/);
  });

  it('provisions a claim of the default class on this node, mounts it, and removes it with the claim', async () => {
    const manifest = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: store}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: store-writer}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${image}
    command: [sh, -c, 'echo kept > /data/f; sleep 1000']
    volumeMounts: [{name: d, mountPath: /data}]
  volumes:
  - name: d
    persistentVolumeClaim: {claimName: store}
`;
    const applied = await skiff.kubectl(['apply', '-f', '-'], { input: manifest });
    assert.equal(applied.code, 0, applied.stderr);
    await kubectlUntil(
      ['get', 'pod', 'store-writer', '-o', 'jsonpath={.status.phase}'],
      (o) => o === 'Running',
      'store-writer Running',
    );
    const pv = (await skiff.kubectl(['get', 'pvc', 'store', '-o', 'jsonpath={.spec.volumeName}'])).stdout;
    const dir = (await skiff.kubectl(['get', 'pv', pv, '-o', 'jsonpath={.spec.hostPath.path}'])).stdout;
    assert.ok(dir.startsWith(`${scope.stateDir}/storage/pvc-`), dir);
    const deadline = Date.now() + WAIT_MS;
    while (!existsSync(`${dir}/f`) && Date.now() < deadline) await sleep(POLL_MS);
    assert.equal(await readFile(`${dir}/f`, 'utf8'), 'kept\n');

    const del = await skiff.kubectl(['delete', 'pod', 'store-writer', '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
    const delClaim = await skiff.kubectl(['delete', 'pvc', 'store', '--timeout=60s']);
    assert.equal(delClaim.code, 0, delClaim.stderr);
    // Reclaim policy Delete: the binder deletes the volume, then this node's agent its directory.
    await kubectlUntil(['get', 'pv', '-o', 'name'], (o) => !o.includes(pv), 'volume deleted');
    const gone = Date.now() + LOCAL_PATH_SWEEP_WAIT_MS;
    while (existsSync(dir) && Date.now() < gone) await sleep(POLL_MS);
    assert.ok(!existsSync(dir), `${dir} removed`);
  });

  it('leaves containers running while stopped and re-adopts them on the next start', async () => {
    const run = await skiff.kubectl([
      'run',
      'kept',
      `--image=${image}`,
      '--',
      'httpd',
      '-f',
      '-p',
      '8080',
      '-h',
      '/www',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const jsonpath =
      'jsonpath={.status.phase} {.status.podIP} {.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}';
    const before = await kubectlUntil(
      ['get', 'pod', 'kept', '-o', jsonpath],
      (o) => o.startsWith('Running '),
      'kept Running',
    );
    const [, podIP, containerID] = before.split(' ');
    await skiff.stop();
    // The server (and its agent) is gone; conmon keeps the container, which keeps serving.
    assert.equal(await httpGet(`http://${podIP}:8080/index.html`, HTTP_TIMEOUT_MS), WEB_PAGE);
    skiff = await startUp();
    await kubectlUntil(
      ['get', 'nodes', '--no-headers'],
      (o) => new RegExp(`^${NODE}\\s+Ready\\s`, 'm').test(o),
      'node Ready again',
    );
    // Give the new agent a few syncs: a restart would show as a new ID or a restart count.
    await sleep(3000);
    const again = await skiff.kubectl(['get', 'pod', 'kept', '-o', jsonpath]);
    assert.equal(again.stdout, `Running ${podIP} ${containerID} 0`);
    const del = await skiff.kubectl(['delete', 'pod', 'kept', '--grace-period=3', '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
  });
});
