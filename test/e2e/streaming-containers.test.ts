// kubectl logs / exec / port-forward / top on real containers: runc + conmon through the runtime
// layer (CRI logs written by conmon, `runc exec` with and without a terminal, a TCP dial to the
// pod IP on the CNI bridge, cgroup counters), behind the agent API and the API server's proxy.
// Needs root, runc, conmon, catatonit, the CNI plugins and iptables; leaves nothing behind.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeNetworkHostState } from '../../src/agent/cni/network-cleanup.ts';
import { PodNetwork } from '../../src/agent/cni/pod-network.ts';
import { removeRuntimeHostState } from '../../src/agent/runtime/host-cleanup.ts';
import { ImageService } from '../../src/agent/runtime/images/image-service.ts';
import { RuncRuntime } from '../../src/agent/runtime/runc-runtime.ts';
import { busyboxImage, WEB_PAGE, writeOciLayout } from '../support/images.ts';
import { findLeaks, newRuntimeScope } from '../support/runtime-leaks.ts';
import { kubectlBinary } from './harness.ts';
import {
  portForwardGet,
  runInPty,
  type StreamingCluster,
  startStreamingCluster,
} from './streaming-cluster.ts';

const scope = newRuntimeScope();
const NODE = 'skiff-stream-ctr-node';
const POD_CIDR = '10.42.249.0/24';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let runtime: RuncRuntime | undefined;
let network: PodNetwork | undefined;
let cluster: StreamingCluster | undefined;
let ipForward = '0';
const sandboxId = `${scope.idPrefix}1`;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  if (process.getuid?.() !== 0)
    throw new Error('streaming container tests need root (runc, mounts, cgroups, netns)');
  ipForward = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
  await mkdir(scope.stateDir, { recursive: true });
  const images = new ImageService({ root: join(scope.stateDir, 'images') });
  await images.init();
  const layout = join(scope.stateDir, 'layout');
  await writeOciLayout(layout, [
    { image: await busyboxImage({ cmd: ['sh'] }), name: 'skiff.test/busybox:1' },
  ]);
  await images.import(layout);
  const busybox = await images.unpack('skiff.test/busybox:1');
  runtime = await RuncRuntime.open({
    stateDir: join(scope.stateDir, 'runtime'),
    runDir: scope.runDir,
    cgroupRoot: scope.cgroupRoot,
    exitPollMs: 200,
  });
  network = new PodNetwork({
    podCidr: POD_CIDR,
    stateDir: join(scope.stateDir, 'cni'),
    networkName: scope.network,
    bridge: scope.bridge,
  });
  const net = await network.setUp(sandboxId);
  const sb = await runtime.createSandbox({
    id: sandboxId,
    podUid: 'stream-pod-uid',
    name: 'web',
    namespace: 'default',
    hostname: 'web',
    netnsPath: net.netnsPath,
    podIps: [net.ip],
  });
  // main: prints, serves /www on 8080, then ticks once a second (a line to see while following)
  const main = await runtime.createContainer({
    sandboxId: sb,
    name: 'main',
    image: busybox,
    command: [
      'sh',
      '-c',
      'echo hello from main; echo to stderr >&2; httpd -p 8080 -h /www; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done',
    ],
  });
  await runtime.startContainer(main);
  // crash: attempt 0 fails, attempt 1 runs (what `logs --previous` reads)
  const crash0 = await runtime.createContainer({
    sandboxId: sb,
    name: 'crash',
    attempt: 0,
    image: busybox,
    command: ['sh', '-c', 'echo crash-output; exit 1'],
  });
  await runtime.startContainer(crash0);
  const rt = runtime;
  await waitFor('crash attempt 0 exited', async () =>
    (await rt.containerStatus(crash0))?.state === 'exited' ? true : undefined,
  );
  const crash1 = await runtime.createContainer({
    sandboxId: sb,
    name: 'crash',
    attempt: 1,
    image: busybox,
    command: ['sleep', '1000'],
  });
  await runtime.startContainer(crash1);
  cluster = await startStreamingCluster({
    dir: scope.stateDir,
    runtime,
    nodeName: NODE,
    pod: { name: 'web', containers: ['main', 'crash'], podIP: net.ip },
    agent: { cgroupRoot: scope.cgroupRoot },
  });
});

after(async () => {
  const errors: string[] = [];
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      errors.push(`${what}: ${String(err)}`);
    }
  };
  await step('cluster stop', async () => cluster?.stop());
  await step('sandbox', async () => runtime?.removeSandbox(sandboxId));
  await step('runtime dispose', async () => runtime?.dispose());
  await step('network', async () => network?.tearDown(sandboxId));
  await step('network state', () =>
    removeNetworkHostState({
      networkName: scope.network,
      bridge: scope.bridge,
      netnsPrefix: `skiff-${scope.idPrefix}`,
    }),
  );
  let busy: string[] = [];
  await step('runtime state', async () => {
    busy = await removeRuntimeHostState({
      stateDir: scope.stateDir,
      runDir: scope.runDir,
      cgroupRoot: scope.cgroupRoot,
      removeState: true,
    });
  });
  await step('ip_forward', () => writeFile('/proc/sys/net/ipv4/ip_forward', ipForward));
  await step('state dir', () => rm(scope.stateDir, { recursive: true, force: true }));
  assert.deepEqual(errors, [], 'every clean-up step succeeded');
  assert.deepEqual(busy, [], 'no busy cgroups');
  assert.deepEqual(
    await findLeaks(scope),
    [],
    'no netns, mount, cgroup, bridge, iptables chain or process left',
  );
});

describe('kubectl streaming on real containers', () => {
  it('logs from conmon, stderr included; --previous of a crashed attempt', async () => {
    const c = cluster!;
    const logs = await waitFor('main logged', async () => {
      const r = await c.kubectl(['logs', 'web', '-c', 'main']);
      return r.stdout.includes('tick') ? r : undefined;
    });
    assert.match(logs.stdout, /^hello from main\nto stderr\ntick 1\n/);
    assert.equal((await c.kubectl(['logs', 'web', '-c', 'crash', '--previous'])).stdout, 'crash-output\n');
    assert.equal((await c.kubectl(['logs', 'web', '-c', 'main', '--tail=1'])).stdout.split('\n').length, 2);
  });

  it('logs -f shows lines printed after the follow began', async () => {
    const c = cluster!;
    let sawLater!: () => void;
    const later = new Promise<void>((r) => (sawLater = r));
    let first = -1;
    const stop = new AbortController();
    const follow = c.kubectl(['logs', '-f', 'web', '-c', 'main', '--tail=1'], {
      timeoutMs: 10_000,
      signal: stop.signal,
      onStdout: (s) => {
        const ticks = [...s.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
        if (first < 0 && ticks.length) first = ticks[0]!;
        if (ticks.some((t) => t >= first + 2)) sawLater();
      },
    });
    await Promise.race([later, follow]);
    stop.abort();
    await follow;
    assert.ok(first > 0, 'the follow printed a tick');
  });

  for (const minor of [32, 29]) {
    it(`exec with kubectl 1.${minor}: runs in the container, exit codes`, async () => {
      const c = cluster!;
      const r = await c.kubectl(['exec', 'web', '-c', 'main', '--', 'cat', '/etc/hostname'], { minor });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'web\n');
      const fail = await c.kubectl(['exec', 'web', '-c', 'main', '--', 'sh', '-c', 'exit 7'], { minor });
      assert.equal(fail.code, 7);
    });
  }

  it('an exec whose client went away is killed inside the container', async () => {
    const stop = new AbortController();
    const run = cluster!.kubectl(['exec', 'web', '-c', 'main', '--', 'sleep', '312'], {
      signal: stop.signal,
    });
    const rt = runtime!;
    const main = (await rt.listContainers({ sandboxId })).find((c) => c.name === 'main')!.id;
    const sleeping = async () =>
      (await rt.exec(main, ['ps', '-o', 'args'])).stdout.toString().includes('sleep 312');
    await waitFor('the exec runs', async () => ((await sleeping()) ? true : undefined));
    stop.abort();
    await run;
    await waitFor('the exec is gone', async () => ((await sleeping()) ? undefined : true));
  });

  for (const minor of [32, 29]) {
    it(`attach with kubectl 1.${minor} streams the container's output live`, async () => {
      const stop = new AbortController();
      let seen!: () => void;
      const ticked = new Promise<void>((r) => (seen = r));
      const run = cluster!.kubectl(['attach', 'web', '-c', 'main'], {
        minor,
        signal: stop.signal,
        onStdout: (s) => {
          if (/tick \d+\n/.test(s)) seen();
        },
      });
      await Promise.race([ticked, run]);
      stop.abort();
      const r = await run;
      assert.match(r.stdout, /tick \d+/, r.stderr);
      assert.doesNotMatch(r.stdout, /hello from main/, 'only output written after attaching');
    });
  }

  it('exec -it: a shell on a terminal inside the container', async () => {
    const { code, out } = await runInPty(
      [
        kubectlBinary(32),
        '--kubeconfig',
        cluster!.kubeconfig,
        'exec',
        '-it',
        'web',
        '-c',
        'main',
        '--',
        'sh',
      ],
      'tty; echo in-$(hostname); exit 4\n',
    );
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /in-web/);
    assert.equal(code, 4, out);
  });

  it('port-forward to httpd on the pod IP (1.32 and 1.29)', async () => {
    for (const minor of [32, 29])
      assert.equal(await portForwardGet(cluster!, 'web', 8080, minor, '/index.html'), WEB_PAGE);
  });

  it('top pods reports cgroup usage', async () => {
    const r = await cluster!.kubectl(['top', 'pods', '--containers']);
    assert.equal(r.code, 0, r.stderr);
    const mem = /\nweb\s+main\s+\d+m\s+(\d+)Mi/.exec(r.stdout);
    assert.ok(mem, r.stdout);
  });
});
