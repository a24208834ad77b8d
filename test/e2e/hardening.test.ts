// Container hardening, proved from inside real pods (busybox through a real `skiff server` and the
// node agent): the OCI default masked and read-only paths, no mounts, no kernel modules, and the
// exact capability sets for the default, `capabilities.add/drop` and `privileged`.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type Agent, startAgent } from '../../src/agent/agent.ts';
import type { KObject } from '../../src/api/object.ts';
import {
  CONFIGMAPS,
  clientFromKubeconfig,
  isAlreadyExists,
  PODS,
  type RestClient,
} from '../../src/client/index.ts';
import { createLogger } from '../../src/util/log.ts';
import { busyboxImage } from '../support/images.ts';
import { pushImage, startRegistry, type TestRegistry } from '../support/registry.ts';
import { attempt, cleanUpScope, newRuntimeScope } from '../support/runtime-leaks.ts';
import { until } from '../support/until.ts';
import { type Skiff, startSkiff } from './harness.ts';

const scope = newRuntimeScope();
const NODE = 'skiff-e2e-hardening';
const POD_CIDR = '10.42.249.0/24';
/** Privileged pods go to a namespace whose Pod Security level allows them. */
const ADMIN_NS = 'skiff-hardening-admin';
const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces', namespaced: false };
const SERVICEACCOUNTS = { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true };

/** Docker's 14 default capabilities (CHOWN … AUDIT_WRITE) as /proc/<pid>/status prints them. */
const DEFAULT_CAPS = '00000000a80425fb';
const CAP_NET_ADMIN_BIT = 12n;
const CAP_SYS_MODULE_BIT = 16n;
/** The OCI/containerd defaults a container must not see into (files read as empty). */
const MASKED = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
const READ_ONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

let skiff: Skiff;
let registry: TestRegistry;
let client: RestClient;
let agent: Agent | undefined;
let image: string;

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000) =>
  until(what, fn, { timeoutMs, pollMs: 250, retryErrors: true });

async function ensure(what: Promise<unknown>): Promise<void> {
  await what.catch((err: unknown) => {
    if (!isAlreadyExists(err)) throw err;
  });
}

/** Starts a pod with one busybox container and returns its container ID once it runs. */
async function runPod(name: string, securityContext?: KObject, namespace = 'default'): Promise<string> {
  const pods = client.resource<KObject>(PODS, namespace);
  await pods.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      nodeName: NODE,
      terminationGracePeriodSeconds: 0,
      containers: [
        { name: 'app', image, command: ['sleep', '1000'], ...(securityContext ? { securityContext } : {}) },
      ],
    },
  });
  const p = await waitFor(`${name} running`, async () => {
    const p = await pods.get(name);
    const st = (p.status?.containerStatuses ?? [])[0];
    return st?.state?.running ? p : undefined;
  });
  return String(p.status.containerStatuses[0].containerID).replace('skiff://', '');
}

async function sh(id: string, script: string): Promise<{ code: number; out: string; err: string }> {
  const r = await agent!.runtime.exec(id, ['sh', '-c', script]);
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

/** CapEff and CapBnd of the container's PID 1 (its main process). */
async function caps(id: string): Promise<{ eff: string; bnd: string }> {
  const { out } = await sh(id, 'cat /proc/1/status');
  const field = (k: string) => new RegExp(`^${k}:\\s*([0-9a-f]+)$`, 'm').exec(out)?.[1] ?? '';
  return { eff: field('CapEff'), bnd: field('CapBnd') };
}

const hostCapBnd = async () =>
  /^CapBnd:\s*([0-9a-f]+)$/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1] ?? '';

let plain: string;

before(async () => {
  if (process.getuid?.() !== 0)
    throw new Error('hardening e2e tests need root (runc, mounts, cgroups, netns)');
  registry = await startRegistry();
  await pushImage(registry.url, 'skiff/busybox', '1', await busyboxImage({ cmd: ['sh'] }));
  image = `${registry.host}/skiff/busybox:1`;
  skiff = await startSkiff();
  client = await clientFromKubeconfig(skiff.kubeconfig);
  await ensure(
    client.resource<KObject>(NAMESPACES).create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ADMIN_NS, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
    }),
  );
  const ca = /certificate-authority-data:\s*(\S+)/.exec(await readFile(skiff.kubeconfig, 'utf8'))?.[1] ?? '';
  for (const ns of ['default', ADMIN_NS]) {
    await ensure(
      client.resource<KObject>(CONFIGMAPS, ns).create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns },
        data: { 'ca.crt': Buffer.from(ca, 'base64').toString() },
      }),
    );
  }
  // Pods are admitted only once the namespace's default ServiceAccount exists.
  await waitFor('default ServiceAccount', async () =>
    client
      .resource<KObject>(SERVICEACCOUNTS, ADMIN_NS)
      .get('default')
      .catch(() => undefined),
  );
  agent = await startAgent({
    client,
    nodeName: NODE,
    dataDir: scope.stateDir,
    podCidr: POD_CIDR,
    runDir: scope.runDir,
    cgroupRoot: scope.cgroupRoot,
    networkName: scope.network,
    bridge: scope.bridge,
    sandboxIdPrefix: scope.idPrefix,
    exitPollMs: 200,
    internalIP: '127.0.0.1',
    log: createLogger({ level: 'warn', component: 'agent' }),
  });
  plain = await runPod('plain');
});

after(async () => {
  const errors: string[] = [];
  await attempt(errors, 'agent stop', async () => agent?.stop());
  await attempt(errors, 'skiff stop', async () => skiff?.stop());
  await attempt(errors, 'registry stop', async () => registry?.stop());
  const { busy, leaks } = await cleanUpScope(scope, errors, { removeState: true });
  await attempt(errors, 'state dir', () => rm(scope.stateDir, { recursive: true, force: true }));
  assert.deepEqual(errors, [], 'every clean-up step succeeded');
  assert.deepEqual(busy, [], 'no busy cgroups');
  assert.deepEqual(leaks, [], 'nothing of the scope left on the host');
});

describe('container hardening', () => {
  it('masks the OCI default paths: files read empty, directories list nothing', async () => {
    const present = MASKED.filter((p) => existsSync(p));
    assert.ok(present.length > 0, 'the host has some of the masked paths');
    for (const p of present) {
      const isDir = statSync(p).isDirectory();
      const r = await sh(plain, isDir ? `ls -A ${p} | wc -l` : `wc -c < ${p}`);
      assert.equal(r.code, 0, `${p}: ${r.err}`);
      assert.equal(r.out.trim(), '0', `${p} is masked`);
    }
    // Each is covered by a mount of its own (on the host, /proc/keys, /proc/timer_list… have content).
    const mounts = await sh(plain, 'cat /proc/1/mountinfo');
    for (const p of present) assert.match(mounts.out, new RegExp(` ${p} `), `${p} is covered by a mount`);
  });

  it('keeps the OCI read-only paths read-only (mounted ro; opening for writing fails)', async () => {
    const present = READ_ONLY.filter((x) => existsSync(x));
    assert.ok(present.includes('/proc/sys'));
    const mountinfo = (await sh(plain, 'cat /proc/1/mountinfo')).out.split('\n');
    for (const p of present) {
      const line = mountinfo.find((l) => l.split(' ')[4] === p);
      assert.ok(line, `${p} is a mount of its own`);
      assert.ok(line.split(' ')[5]?.split(',').includes('ro'), `${p} is mounted ro: ${line}`);
    }
    // `: >` only opens (O_TRUNC), so even a writable procfs would see nothing written.
    for (const target of ['/proc/sys/kernel/hostname', '/proc/sysrq-trigger'].filter((x) => existsSync(x))) {
      const r = await sh(plain, `: > ${target}`);
      assert.notEqual(r.code, 0, `${target} opened for writing`);
      assert.match(r.err, /Read-only file system/, target);
    }
  });

  it('refuses to mount a tmpfs', async () => {
    const r = await sh(plain, 'mkdir -p /mnt && mount -t tmpfs none /mnt');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /operation not permitted|permission denied/i);
    const mounts = await sh(plain, 'grep -c " /mnt " /proc/mounts');
    assert.equal(mounts.out.trim(), '0');
  });

  it('cannot load a kernel module: CAP_SYS_MODULE is absent and init_module is refused', async () => {
    const { eff, bnd } = await caps(plain);
    assert.equal((BigInt(`0x${eff}`) >> CAP_SYS_MODULE_BIT) & 1n, 0n, 'CAP_SYS_MODULE effective');
    assert.equal((BigInt(`0x${bnd}`) >> CAP_SYS_MODULE_BIT) & 1n, 0n, 'CAP_SYS_MODULE in the bounding set');
    // A garbage module: with the capability the kernel would reject the format (or say it has no
    // module support); without it init_module is EPERM.
    const r = await sh(plain, 'echo garbage > /tmp/skiff.ko && insmod /tmp/skiff.ko');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /Operation not permitted/);
  });

  it('has exactly the default capability set', async () => {
    assert.deepEqual(await caps(plain), { eff: DEFAULT_CAPS, bnd: DEFAULT_CAPS });
    const self = await sh(plain, 'grep -E "^Cap(Eff|Bnd)" /proc/self/status');
    assert.equal(self.out, `CapEff:\t${DEFAULT_CAPS}\nCapBnd:\t${DEFAULT_CAPS}\n`);
  });

  it('capabilities.add: [NET_ADMIN] adds exactly that bit', async () => {
    const id = await runPod('netadmin', { capabilities: { add: ['NET_ADMIN'] } });
    const want = (BigInt(`0x${DEFAULT_CAPS}`) | (1n << CAP_NET_ADMIN_BIT)).toString(16).padStart(16, '0');
    assert.deepEqual(await caps(id), { eff: want, bnd: want });
  });

  it('capabilities.drop: [ALL] leaves no capability', async () => {
    const id = await runPod('dropall', { capabilities: { drop: ['ALL'] } });
    assert.deepEqual(await caps(id), { eff: '0000000000000000', bnd: '0000000000000000' });
    const r = await sh(id, 'chown 1:1 /tmp');
    assert.notEqual(r.code, 0, 'chown without CAP_CHOWN');
  });

  it('an unknown capability is CreateContainerError, not a crash loop of the agent', async () => {
    const pods = client.resource<KObject>(PODS, 'default');
    await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'badcap', namespace: 'default' },
      spec: {
        nodeName: NODE,
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'app',
            image,
            command: ['sleep', '1000'],
            securityContext: { capabilities: { add: ['FLY'] } },
          },
        ],
      },
    });
    const waiting = await waitFor('CreateContainerError', async () => {
      const st = ((await pods.get('badcap')).status?.containerStatuses ?? [])[0];
      return st?.state?.waiting?.reason === 'CreateContainerError' ? st.state.waiting : undefined;
    });
    assert.match(waiting.message, /unknown capability "FLY"/);
  });

  it('privileged: true gets every capability the host has, no masks, and may mount', async () => {
    const id = await runPod('priv', { privileged: true }, ADMIN_NS);
    const full = await hostCapBnd();
    assert.deepEqual(await caps(id), { eff: full, bnd: full });
    const keys = await sh(id, 'grep -c " /proc/keys " /proc/1/mountinfo');
    assert.equal(keys.out.trim(), '0', 'no masks');
    const m = await sh(
      id,
      'mkdir -p /mnt && mount -t tmpfs none /mnt && grep -c " /mnt tmpfs " /proc/mounts; umount /mnt',
    );
    assert.equal(m.out.trim(), '1', m.err);
    // The module check discriminates: here the kernel itself answers (not EPERM).
    const ins = await sh(id, 'echo garbage > /tmp/skiff.ko && insmod /tmp/skiff.ko');
    assert.notEqual(ins.code, 0);
    assert.doesNotMatch(ins.err, /Operation not permitted/);
  });
});
