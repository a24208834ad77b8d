// The runc + conmon runtime with real containers: the shared conformance suite, then what only this
// implementation can show (host cgroup files, a pod on the CNI bridge answering HTTP on its pod IP,
// a container from an image pulled from a real registry), and no host leftovers afterwards.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpGet } from '../../../test/support/http-get.ts';
import { busyboxImage, type OciImage, WEB_PAGE, writeOciLayout } from '../../../test/support/images.ts';
import { freePort, pushImage, startRegistry, type TestRegistry } from '../../../test/support/registry.ts';
import { findLeaks, newRuntimeScope } from '../../../test/support/runtime-leaks.ts';
import { removeNetworkHostState } from '../cni/network-cleanup.ts';
import { PodNetwork } from '../cni/pod-network.ts';
import { readCgroupFile } from './cgroups.ts';
import { removeRuntimeHostState } from './host-cleanup.ts';
import { ImageService, type UnpackedImage } from './images/image-service.ts';
import { RuncRuntime } from './runc-runtime.ts';
import { runtimeConformanceSuite } from './testsuite/runtime-suite.ts';
import { isRuntimeError } from './types.ts';

const scope = newRuntimeScope();
const POD_CIDR = '10.42.250.0/24';
let images: ImageService;
let testImage: OciImage;
let busybox: UnpackedImage;
let seq = 0;
let ipForward = '0';

const open = () =>
  RuncRuntime.open({
    stateDir: join(scope.stateDir, 'runtime'),
    runDir: scope.runDir,
    cgroupRoot: scope.cgroupRoot,
    exitPollMs: 200,
  });
const nextSandboxId = () => `${scope.idPrefix}${++seq}`;

function checkHost(): void {
  if (process.getuid?.() !== 0) throw new Error('runtime tests need root (runc, mounts, cgroups, netns)');
}

before(async () => {
  checkHost();
  ipForward = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
  await mkdir(scope.stateDir, { recursive: true });
  images = new ImageService({ root: join(scope.stateDir, 'images') });
  await images.init();
  testImage = await busyboxImage({ cmd: ['sh'] });
  const layout = join(scope.stateDir, 'layout');
  await writeOciLayout(layout, [{ image: testImage, name: 'skiff.test/busybox:1' }]);
  await images.import(layout);
  busybox = await images.unpack('skiff.test/busybox:1');
});

after(async () => {
  await removeNetworkHostState({
    networkName: scope.network,
    bridge: scope.bridge,
    netnsPrefix: `skiff-${scope.idPrefix}`,
  });
  const busy = await removeRuntimeHostState({
    stateDir: scope.stateDir,
    runDir: scope.runDir,
    cgroupRoot: scope.cgroupRoot,
    removeState: true,
  });
  await writeFile('/proc/sys/net/ipv4/ip_forward', ipForward);
  assert.deepEqual(busy, [], 'no busy cgroups');
  assert.deepEqual(
    await findLeaks(scope),
    [],
    'no netns, mount, cgroup, bridge, iptables chain or process left',
  );
});

runtimeConformanceSuite('runc + conmon', {
  async setup() {
    const fx = {
      runtime: await open(),
      image: busybox,
      sandboxId: nextSandboxId,
      async reopen() {
        await fx.runtime.dispose();
        fx.runtime = await open();
        return fx.runtime;
      },
    };
    return fx;
  },
  async teardown(fx) {
    await fx.runtime.dispose();
  },
});

describe('RuncRuntime on this host', () => {
  let rt: RuncRuntime;
  let network: PodNetwork;
  let registry: TestRegistry | undefined;

  before(async () => {
    rt = await open();
    network = new PodNetwork({
      podCidr: POD_CIDR,
      stateDir: join(scope.stateDir, 'cni'),
      networkName: scope.network,
      bridge: scope.bridge,
    });
  });

  after(async () => {
    for (const s of await rt.listSandboxes()) await rt.removeSandbox(s.id);
    await rt.dispose();
    await registry?.stop();
  });

  it('removes containers the moment they exit: no error, no directory re-created by a late refresh', async () => {
    const sb = await rt.createSandbox({
      id: nextSandboxId(),
      podUid: 'race-pod',
      name: 'race',
      namespace: 'd',
      hostname: 'race',
    });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = await rt.createContainer({
        sandboxId: sb,
        name: `quick-${i}`,
        image: busybox,
        command: ['true'],
      });
      await rt.startContainer(id);
      // Its exit is noticed (the watcher, a status read) while the removal runs: no refresh may
      // write its record into the directory being deleted.
      await new Promise((r) => setTimeout(r, 20 * (i % 4)));
      await Promise.all([rt.removeContainer(id), rt.containerStatus(id), rt.containerStatus(id)]);
      ids.push(id);
    }
    await new Promise((r) => setTimeout(r, 500)); // past the exit poll (200 ms): late refreshes ran
    for (const id of ids) {
      await assert.rejects(readFile(join(scope.stateDir, 'runtime', 'containers', id, 'state.json')), {
        code: 'ENOENT',
      });
    }
    await rt.removeSandbox(sb);
  });

  it('writes cpu, memory and pids limits to the container cgroup', async () => {
    const sb = await rt.createSandbox({
      id: nextSandboxId(),
      podUid: 'cg-pod',
      name: 'cg',
      namespace: 'd',
      hostname: 'cg',
    });
    const id = await rt.createContainer({
      sandboxId: sb,
      name: 'limits',
      image: busybox,
      command: ['sleep', '1000'],
      resources: { cpuRequestMilli: 100, cpuLimitMilli: 1500, memoryLimitBytes: 48 << 20, pidsLimit: 20 },
    });
    const cg = `${scope.cgroupRoot}/cg-pod/${id}`;
    assert.equal(await readCgroupFile(cg, 'memory', 'memory.limit_in_bytes'), String(48 << 20));
    assert.equal(await readCgroupFile(cg, 'memory', 'memory.memsw.limit_in_bytes'), String(48 << 20));
    assert.equal(await readCgroupFile(cg, 'cpu', 'cpu.shares'), '102');
    assert.equal(await readCgroupFile(cg, 'cpu', 'cpu.cfs_quota_us'), '150000');
    assert.equal(await readCgroupFile(cg, 'cpu', 'cpu.cfs_period_us'), '100000');
    assert.equal(await readCgroupFile(cg, 'pids', 'pids.max'), '20');
    const procs = await readCgroupFile(cg, 'pids', 'cgroup.procs');
    assert.equal(procs, String((await rt.containerStatus(id))?.pid), 'the container init is in its cgroup');
    await rt.removeSandbox(sb);
    await assert.rejects(readCgroupFile(cg, 'memory', 'memory.limit_in_bytes'), /ENOENT/);
  });

  it("gives a sandbox the pod's dnsPolicy None resolvers and hostAliases in the container's files", async () => {
    const sb = await rt.createSandbox({
      id: nextSandboxId(),
      podUid: 'dns-pod',
      name: 'dns',
      namespace: 'd',
      hostname: 'dns',
      dnsPolicy: 'None',
      dnsConfig: {
        nameservers: ['192.0.2.10'],
        searches: ['corp.test'],
        options: [{ name: 'ndots', value: '2' }],
      },
      hostAliases: [{ ip: '192.0.2.20', hostnames: ['db.corp.test', 'db'] }],
    });
    const id = await rt.createContainer({
      sandboxId: sb,
      name: 'c',
      image: busybox,
      command: ['sleep', '1000'],
    });
    await rt.startContainer(id);
    const out = await rt.exec(id, ['cat', '/etc/resolv.conf', '/etc/hosts']);
    const text = out.stdout.toString();
    assert.match(text, /^nameserver 192\.0\.2\.10\nsearch corp\.test\noptions ndots:2$/m);
    assert.match(text, /^192\.0\.2\.20\tdb\.corp\.test\tdb$/m);
    await rt.removeSandbox(sb);
  });

  it('refuses to create in a sandbox that is not ready, and reports bad commands', async () => {
    const sb = await rt.createSandbox({
      id: nextSandboxId(),
      podUid: 'bad-pod',
      name: 'bad',
      namespace: 'd',
      hostname: 'bad',
    });
    await assert.rejects(
      rt.createContainer({
        sandboxId: sb,
        name: 'x',
        image: { ...busybox, config: { ...busybox.config, config: {} } },
      }),
      (err) => isRuntimeError(err, 'InvalidConfig'),
    );
    const missing = await rt
      .createContainer({ sandboxId: sb, name: 'nx', image: busybox, command: ['/no/such/binary'] })
      .then(
        async (id) => {
          await rt.startContainer(id).catch(() => {});
          return id;
        },
        (err: unknown) => err,
      );
    // runc reports a missing executable at create (runc 1.1) or the process fails at start.
    if (typeof missing === 'string') await rt.removeContainer(missing);
    else assert.ok(isRuntimeError(missing, 'CreateFailed'), String(missing));
    await rt.stopSandbox(sb);
    await assert.rejects(
      rt.createContainer({ sandboxId: sb, name: 'late', image: busybox, command: ['true'] }),
      (err) => isRuntimeError(err, 'NotRunning'),
    );
    await rt.removeSandbox(sb);
  });

  it('runs a pod on the CNI bridge whose httpd answers on its pod IP', async (t) => {
    const id = nextSandboxId();
    let started = performance.now();
    const hostPort = await freePort();
    const net = await network.setUp(id, { portMappings: [{ hostPort, containerPort: 8080 }] });
    const netMs = performance.now() - started;
    assert.match(net.ip, /^10\.42\.250\.\d+$/);
    assert.equal(net.gateway, '10.42.250.1');
    started = performance.now();
    const sb = await rt.createSandbox({
      id,
      podUid: 'web-pod',
      name: 'web',
      namespace: 'd',
      hostname: 'web',
      netnsPath: net.netnsPath,
      podIps: [net.ip],
    });
    const sandboxMs = performance.now() - started;
    started = performance.now();
    const ctr = await rt.createContainer({
      sandboxId: sb,
      name: 'httpd',
      image: busybox,
      command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
    });
    await rt.startContainer(ctr);
    const startMs = performance.now() - started;
    const body = await httpGetRetry(`http://${net.ip}:8080/index.html`);
    const readyMs = performance.now() - started;
    t.diagnostic(
      `netns+CNI ${netMs.toFixed(1)} ms, sandbox ${sandboxMs.toFixed(1)} ms, container create+start ${startMs.toFixed(1)} ms, first HTTP 200 after ${readyMs.toFixed(1)} ms`,
    );
    assert.equal(body, WEB_PAGE);
    assert.equal(
      await httpGetRetry(`http://127.0.0.1:${hostPort}/index.html`),
      WEB_PAGE,
      'hostPort via portmap',
    );
    const inside = await rt.exec(ctr, ['sh', '-c', 'ip -4 addr show eth0; hostname; cat /etc/hosts']);
    assert.match(inside.stdout.toString(), new RegExp(`inet ${net.ip.replaceAll('.', '\\.')}/24`));
    assert.match(inside.stdout.toString(), new RegExp(`^${net.ip.replaceAll('.', '\\.')}\\tweb$`, 'm'));
    assert.match(inside.stdout.toString(), /^web$/m, 'the pod has its own UTS namespace and hostname');
    // A second container shares the pod's network: it reaches httpd on localhost.
    const peer = await rt.createContainer({
      sandboxId: sb,
      name: 'peer',
      image: busybox,
      command: ['sleep', '1000'],
    });
    await rt.startContainer(peer);
    const viaLo = await rt.exec(peer, ['wget', '-q', '-O', '-', 'http://127.0.0.1:8080/index.html']);
    assert.equal(viaLo.stdout.toString(), WEB_PAGE);
    await rt.removeSandbox(sb);
    started = performance.now();
    await network.tearDown(id);
    t.diagnostic(`CNI teardown ${(performance.now() - started).toFixed(1)} ms`);
    await network.tearDown(id);
    assert.equal(await network.get(id), undefined);
  });

  it('pulls an image from a registry and runs it', async (t) => {
    registry = await startRegistry();
    await pushImage(
      registry.url,
      'skiff/echo',
      'v1',
      await busyboxImage({ cmd: ['sh', '-c', 'echo pulled-and-ran'] }),
    );
    const svc = new ImageService({ root: join(scope.stateDir, 'pulled') });
    await svc.init();
    let started = performance.now();
    const rec = await svc.pull(`${registry.host}/skiff/echo:v1`);
    const unpacked = await svc.unpack(rec.id);
    const pullMs = performance.now() - started;
    const sb = await rt.createSandbox({
      id: nextSandboxId(),
      podUid: 'pull-pod',
      name: 'p',
      namespace: 'd',
      hostname: 'p',
    });
    started = performance.now();
    const id = await rt.createContainer({ sandboxId: sb, name: 'echo', image: unpacked });
    await rt.startContainer(id);
    const startMs = performance.now() - started;
    t.diagnostic(`pull+unpack ${pullMs.toFixed(1)} ms, create+start ${startMs.toFixed(1)} ms`);
    for (let i = 0; i < 200 && (await rt.containerStatus(id))?.state !== 'exited'; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const s = await rt.containerStatus(id);
    assert.equal(s?.exitCode, 0);
    assert.equal(s?.imageRef, `${registry.host}/skiff/echo:v1`);
    assert.match(await readFile(s!.logPath, 'utf8'), /stdout F pulled-and-ran$/m);
    await rt.removeSandbox(sb);
  });
});

async function httpGetRetry(url: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await httpGet(url, 1000);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
