// The pods suite: real containers on one node. A `skiff server` from source (scheduler and
// controllers in it) and the node agent in a child process of its own (bench/pods-agent.ts), so
// the agent's RSS is its alone; it serves its HTTPS API as `skiff agent` does. Measured in one
// run, on one host scope (test/support/runtime-leaks):
//   floor      the runtime layer without any API: netns + CNI ADD, pause sandbox, overlay +
//              `runc create/start` of the same image (what one pod costs at the least)
//   pull       (not timed) one pod makes the agent pull the image, as on any node that runs pods
//   startup    100 pods bound to the node, created at a fixed pace; create → Running and Ready
//              as seen on a pod watch (image already on the node)
//   rss        the agent's VmRSS with 50 of those pods running
//   deploy100  a 100-replica Deployment: create → status.readyReplicas = 100
// Everything started is stopped by PID and every host object of the scope is removed afterwards.
// The agent runs bundled (as dist/ ships it) with the Node flags and GLIBC_TUNABLES `./skiff agent` gets
// (scripts/lib.sh). SKIFF_BENCH_DEBUG=1 logs each pod's start-up, the agent's memory split and the
// Deployment's bound/Ready timeline;
// SKIFF_BENCH_AGENT_FLAGS adds Node flags to the agent (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p");
// SKIFF_BENCH_AGENT_WRAPPER runs it under a command (e.g. "heaptrack -o /tmp/h/agent");
// SKIFF_BENCH_AGENT_SOCKETS sets its client's connection cap (AGENT_CLIENT_MAX_SOCKETS by default);
// SKIFF_BENCH_START_SLOTS sets the agent's parallelPodStarts (for A/B runs).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { bundleTo } from '../scripts/bundle.ts';
import { launcherAgentCommand } from '../scripts/launcher-flags.ts';
import { removeNetworkHostState } from '../src/agent/cni/network-cleanup.ts';
import { PodNetwork } from '../src/agent/cni/pod-network.ts';
import { removeRuntimeHostState } from '../src/agent/runtime/host-cleanup.ts';
import { ImageService, type UnpackedImage } from '../src/agent/runtime/images/image-service.ts';
import { newId, RuncRuntime } from '../src/agent/runtime/runc-runtime.ts';
import { findKind } from '../src/api/kinds/index.ts';
import type { KObject } from '../src/api/object.ts';
import { ensureClientCert } from '../src/apiserver/pki/index.ts';
import {
  CONFIGMAPS,
  clientFromKubeconfig,
  isAlreadyExists,
  PODS,
  type RestClient,
  refOf,
} from '../src/client/index.ts';
import { parseKubeconfigText } from '../src/client/kubeconfig.ts';
import { type Skiff, startSkiff } from '../test/e2e/harness.ts';
import { busyboxImage } from '../test/support/images.ts';
import { pushImage, startRegistry, type TestRegistry } from '../test/support/registry.ts';
import { findLeaks, newRuntimeScope, type RuntimeScope } from '../test/support/runtime-leaks.ts';
import { READY_LINE } from './pods-agent.ts';
import { rssMb } from './server.ts';
import { quantile, round } from './stats.ts';
import type { BenchResult, Metric } from './types.ts';

const NODE = 'skiff-bench-node';
const NAMESPACE = 'default';
const POD_CIDR = '10.42.250.0/24';
const STARTUP_PODS = 100;
/** Pods created per second in the startup phase: a steady stream, as upstream's density test,
 * rather than a burst that would measure queueing on 2 cores instead of start-up. */
const STARTUP_PER_S = 5;
const FLOOR_RUNS = 20;
const RSS_PODS = 50;
const DEPLOY_REPLICAS = 100;
/** Let the agent's heap settle (GC, resync) before reading its RSS. */
const RSS_SETTLE_MS = 5000;
const PHASE_TIMEOUT_MS = 120_000;
const AGENT_READY_TIMEOUT_MS = 30_000;
const TARGET = {
  startupP99Ms: 400,
  floorRatio: 2,
  deployReadyS: 10,
  agentRssMb: 60,
};
const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const ROOT = join(import.meta.dirname, '..');
const AGENT_ENTRY = join(import.meta.dirname, 'pods-agent.ts');
/** Beside node_modules, so the bundle's external packages resolve. */
const BUNDLE_PARENT = join(ROOT, 'node_modules', '.cache');
/** A container that just stays up (PID 1 sleep; pods are force-deleted, so no grace to wait). */
const COMMAND = ['sleep', '100000'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = PHASE_TIMEOUT_MS) {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const isReady = (p: KObject): boolean =>
  p.status?.phase === 'Running' &&
  (p.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True');

function podSpec(image: string): KObject {
  return {
    nodeName: NODE,
    terminationGracePeriodSeconds: 0,
    containers: [{ name: 'app', image, command: COMMAND }],
  };
}

/** Sandboxes the runtime holds on disk: what the agent is running, seen from outside it. */
async function sandboxCount(scope: RuntimeScope): Promise<number> {
  return (await readdir(join(scope.stateDir, 'runtime', 'sandboxes')).catch(() => [])).length;
}

/** The floor: each pod's runtime work done directly, one at a time. */
async function measureFloor(scope: RuntimeScope, image: UnpackedImage): Promise<number[]> {
  const runtime = await RuncRuntime.open({
    stateDir: join(scope.stateDir, 'runtime'),
    runDir: scope.runDir,
    cgroupRoot: scope.cgroupRoot,
  });
  const network = new PodNetwork({
    podCidr: POD_CIDR,
    stateDir: join(scope.stateDir, 'cni'),
    networkName: scope.network,
    bridge: scope.bridge,
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < FLOOR_RUNS; i++) {
      const id = `${scope.idPrefix}${newId()}`;
      const t0 = performance.now();
      const net = await network.setUp(id);
      await runtime.createSandbox({
        id,
        podUid: `floor-${i}`,
        name: `floor-${i}`,
        namespace: NAMESPACE,
        hostname: `floor-${i}`,
        netnsPath: net.netnsPath,
        podIps: [net.ip],
      });
      const ctr = await runtime.createContainer({ sandboxId: id, name: 'app', image, command: COMMAND });
      await runtime.startContainer(ctr);
      samples.push(performance.now() - t0);
    }
  } finally {
    for (const sb of await runtime.listSandboxes()) {
      await runtime.removeSandbox(sb.id);
      await network.tearDown(sb.id);
    }
    await runtime.dispose();
  }
  return samples;
}

interface AgentProcess {
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The agent entry bundled as skiff ships (dist/ is a bundle with lazily loaded chunks, so code
 * behind a dynamic import, e.g. the agent API, stays out of memory until used): run from
 * TypeScript sources, Node strips types with a WebAssembly compiler whose memory alone adds
 * ~50 MB to the RSS.
 */
async function bundleAgent(dir: string): Promise<string> {
  await bundleTo({ 'pods-agent': AGENT_ENTRY }, dir);
  return join(dir, 'pods-agent.mjs');
}

/**
 * The agent API's serving certificate from the cluster's CA, as `skiff agent` has one: the agent
 * runs its HTTPS API (logs, exec, port-forward, stats) in the benchmark too.
 */
async function agentApiTls(scope: RuntimeScope, skiffDataDir: string) {
  const tls = join(skiffDataDir, 'tls');
  const ca = {
    certPem: await readFile(join(tls, 'ca.crt'), 'utf8'),
    keyPem: await readFile(join(tls, 'ca.key'), 'utf8'),
  };
  const dir = join(scope.stateDir, 'bench-tls');
  await mkdir(dir, { recursive: true });
  const serving = await ensureClientCert(dir, 'agent-serving', ca, {
    commonName: `system:node:${NODE}`,
    organizations: ['system:nodes'],
    dnsNames: [NODE, 'localhost'],
    ips: ['127.0.0.1'],
    usage: 'server',
  });
  return { cert: serving.certPem, key: serving.keyPem, clientCa: ca.certPem };
}

async function startAgentProcess(scope: RuntimeScope, skiff: Skiff, entry: string): Promise<AgentProcess> {
  const kubeconfig = skiff.kubeconfig;
  // `skiff agent` reads the JSON kubeconfig its join wrote (no YAML parser in the agent): the
  // admin kubeconfig, YAML for people, is handed over in that form.
  const nodeKubeconfig = join(scope.stateDir, 'bench-agent-kubeconfig.json');
  await writeFile(nodeKubeconfig, JSON.stringify(parseKubeconfigText(await readFile(kubeconfig, 'utf8'))));
  const opts = {
    kubeconfig: nodeKubeconfig,
    nodeName: NODE,
    dataDir: scope.stateDir,
    podCidr: POD_CIDR,
    runDir: scope.runDir,
    cgroupRoot: scope.cgroupRoot,
    networkName: scope.network,
    bridge: scope.bridge,
    sandboxIdPrefix: scope.idPrefix,
    internalIP: '127.0.0.1',
    api: { port: 0, host: '127.0.0.1', tls: await agentApiTls(scope, skiff.dataDir) },
    ...(process.env.SKIFF_BENCH_START_SLOTS
      ? { parallelPodStarts: Number(process.env.SKIFF_BENCH_START_SLOTS) }
      : {}),
  };
  // SKIFF_BENCH_AGENT_FLAGS: extra Node flags for the agent (e.g. --cpu-prof to profile it).
  const extra = (process.env.SKIFF_BENCH_AGENT_FLAGS ?? '').split(' ').filter(Boolean);
  const launcher = launcherAgentCommand();
  // SKIFF_BENCH_AGENT_WRAPPER: a command the agent runs under (e.g. `heaptrack`).
  const wrapper = (process.env.SKIFF_BENCH_AGENT_WRAPPER ?? '').split(' ').filter(Boolean);
  const argv = [...wrapper, process.execPath, ...launcher.nodeArgs, ...extra, entry, JSON.stringify(opts)];
  const proc = spawn(argv[0]!, argv.slice(1), {
    env: launcher.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`agent not ready:\n${out}`)), AGENT_READY_TIMEOUT_MS);
    proc.stdout!.on('data', () => {
      if (out.includes(`${READY_LINE}\n`)) {
        clearTimeout(t);
        res();
      }
    });
    proc.once('exit', (c) => {
      clearTimeout(t);
      rej(new Error(`agent exited ${c}:\n${out}`));
    });
  });
  return {
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function publishRootCa(client: RestClient, kubeconfig: string): Promise<void> {
  const ca = /certificate-authority-data:\s*(\S+)/.exec(await readFile(kubeconfig, 'utf8'))?.[1] ?? '';
  await client
    .resource<KObject>(CONFIGMAPS, NAMESPACE)
    .create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ROOT_CA_CONFIGMAP, namespace: NAMESPACE },
      data: { 'ca.crt': Buffer.from(ca, 'base64').toString() },
    })
    .catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
}

/** Pod name → when it was first seen Ready on the watch (and, for the debug timeline, bound). */
async function watchReady(client: RestClient, readyAt: Map<string, number>, boundAt: Map<string, number>) {
  const watch = await client.resource<KObject>(PODS, NAMESPACE).watch({});
  const done = (async () => {
    for await (const ev of watch) {
      const name = ev.object.metadata?.name as string | undefined;
      if (!name) continue;
      if (!boundAt.has(name) && (ev.object as KObject).spec?.nodeName) boundAt.set(name, performance.now());
      if (!readyAt.has(name) && isReady(ev.object)) readyAt.set(name, performance.now());
    }
  })();
  return {
    stop: async () => {
      watch.stop();
      await done.catch(() => {});
    },
  };
}

async function pullThroughAgent(client: RestClient, scope: RuntimeScope, image: string): Promise<void> {
  const pods = client.resource<KObject>(PODS, NAMESPACE);
  await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pull' }, spec: podSpec(image) });
  await until('the pulling pod Ready', async () => {
    const conditions = ((await pods.get('pull')).status as Pod['status'])?.conditions ?? [];
    return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  });
  await forceDelete(client, ['pull']);
  await until('node empty after the pull', async () => (await sandboxCount(scope)) === 0);
}

async function forceDelete(client: RestClient, names: string[]): Promise<void> {
  const pods = client.resource<KObject>(PODS, NAMESPACE);
  await Promise.all(names.map((n) => pods.delete(n, { gracePeriodSeconds: 0 }).catch(() => {})));
}

async function cleanUp(scope: RuntimeScope, log: (l: string) => void): Promise<void> {
  const busy = await removeRuntimeHostState({
    stateDir: scope.stateDir,
    runDir: scope.runDir,
    cgroupRoot: scope.cgroupRoot,
    removeState: true,
  });
  await removeNetworkHostState({
    networkName: scope.network,
    bridge: scope.bridge,
    netnsPrefix: `skiff-${scope.idPrefix}`,
  });
  await rm(scope.stateDir, { recursive: true, force: true });
  const leaks = [...busy, ...(await findLeaks(scope))];
  if (leaks.length) log(`left on the host: ${leaks.join('; ')}`);
}

export async function run(log: (line: string) => void): Promise<BenchResult> {
  if (process.getuid?.() !== 0) throw new Error('the pods benchmark needs root (runc, netns, cgroups)');
  const scope = newRuntimeScope();
  const metrics: Record<string, Metric> = {};
  let registry: TestRegistry | undefined;
  let skiff: Skiff | undefined;
  let client: RestClient | undefined;
  let agent: AgentProcess | undefined;
  await mkdir(BUNDLE_PARENT, { recursive: true });
  const bundleDir = await mkdtemp(join(BUNDLE_PARENT, 'skiff-bench-pods-'));
  try {
    registry = await startRegistry();
    await pushImage(registry.url, 'skiff/busybox', '1', await busyboxImage({ cmd: ['sh'] }));
    const image = `${registry.host}/skiff/busybox:1`;

    // The floor has a store of its own: the agent pulls the image itself (below).
    const images = new ImageService({ root: join(scope.stateDir, 'floor-images') });
    await images.init();
    await images.pull(image);
    log(`floor: ${FLOOR_RUNS} pods through the runtime layer`);
    const floor = await measureFloor(scope, await images.unpack(image));

    skiff = await startSkiff({ fromSource: true });
    client = await clientFromKubeconfig(skiff.kubeconfig, { userAgent: 'skiff-bench-pods' });
    await publishRootCa(client, skiff.kubeconfig);
    agent = await startAgentProcess(scope, skiff, await bundleAgent(bundleDir));
    metrics.agent_idle_rss_mb = { value: round(rssMb(agent.proc.pid!)), unit: 'MB' };

    // One pod pulls the image through the agent, as on any node that runs pods: the start-ups
    // below then find it present, and the agent's RSS includes what pulling leaves behind.
    log('pull: one pod pulls the image through the agent');
    await pullThroughAgent(client, scope, image);

    log(`startup: ${STARTUP_PODS} pods at ${STARTUP_PER_S}/s`);
    const pods = client.resource<KObject>(PODS, NAMESPACE);
    const readyAt = new Map<string, number>();
    const createdAt = new Map<string, number>();
    const boundAt = new Map<string, number>();
    const watcher = await watchReady(client, readyAt, boundAt);
    const names = Array.from({ length: STARTUP_PODS }, (_, i) => `startup-${i}`);
    const t0 = performance.now();
    for (const [i, name] of names.entries()) {
      const due = t0 + (i * 1000) / STARTUP_PER_S;
      if (due > performance.now()) await sleep(due - performance.now());
      createdAt.set(name, performance.now());
      await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: podSpec(image) });
    }
    await until('startup pods Ready', () => names.every((n) => readyAt.has(n)));
    const startups = names.map((n) => (readyAt.get(n) ?? 0) - (createdAt.get(n) ?? 0));
    if (process.env.SKIFF_BENCH_DEBUG) log(`startups: ${startups.map((x) => Math.round(x)).join(' ')}`);
    const floorP50 = quantile(floor, 0.5);
    metrics.startup_p50_ms = {
      value: round(quantile(startups, 0.5)),
      unit: 'ms',
      target: { max: round(TARGET.floorRatio * floorP50) },
    };
    metrics.startup_p99_ms = {
      value: round(quantile(startups, 0.99)),
      unit: 'ms',
      target: { max: TARGET.startupP99Ms },
    };
    metrics.floor_p50_ms = { value: round(floorP50), unit: 'ms' };
    // The machine is shared: the 1-minute load average says how much the numbers were squeezed.
    metrics.host_loadavg_1m = { value: round(os.loadavg()[0] ?? 0), unit: 'load' };
    metrics.floor_p99_ms = { value: round(quantile(floor, 0.99)), unit: 'ms' };

    log(`rss: agent with ${RSS_PODS} pods running`);
    await forceDelete(client, names.slice(RSS_PODS));
    await until(`${RSS_PODS} sandboxes left`, async () => (await sandboxCount(scope)) === RSS_PODS);
    await sleep(RSS_SETTLE_MS);
    if (process.env.SKIFF_BENCH_DEBUG) {
      agent.proc.kill('SIGUSR2');
      await sleep(200);
      log(`agent memory: ${agent.output().trim().split('\n').at(-1)}`);
    }
    metrics.agent_rss_mb = {
      value: round(rssMb(agent.proc.pid!)),
      unit: 'MB',
      target: { max: TARGET.agentRssMb },
    };
    await forceDelete(client, names.slice(0, RSS_PODS));
    await until('node empty', async () => (await sandboxCount(scope)) === 0);

    log(`deploy100: a ${DEPLOY_REPLICAS}-replica Deployment`);
    const deployments = client.resource<KObject>(refOf(findKind('apps', 'deployments')!), NAMESPACE);
    const labels = { app: 'bench-deploy' };
    const { nodeName: _pinned, ...template } = podSpec(image);
    const tDeploy = performance.now();
    await deployments.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bench-deploy' },
      spec: {
        replicas: DEPLOY_REPLICAS,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: template },
      },
    });
    let readyS = Number.NaN;
    const dw = await deployments.watch({ fieldSelector: 'metadata.name=bench-deploy' });
    const giveUp = setTimeout(() => dw.stop(), PHASE_TIMEOUT_MS);
    for await (const ev of dw) {
      if ((ev.object.status?.readyReplicas ?? 0) >= DEPLOY_REPLICAS) {
        readyS = (performance.now() - tDeploy) / 1000;
        break;
      }
    }
    clearTimeout(giveUp);
    dw.stop();
    if (process.env.SKIFF_BENCH_DEBUG) {
      const mine = (m: Map<string, number>) =>
        [...m].filter(([n]) => n.startsWith('bench-deploy-')).map(([, t]) => Math.round(t - tDeploy));
      const b = mine(boundAt).sort((x, y) => x - y);
      const r = mine(readyAt).sort((x, y) => x - y);
      log(
        `deploy: bound first/50th/last ${b[0]}/${b[49]}/${b.at(-1)} ms, ready ${r[0]}/${r[49]}/${r.at(-1)} ms`,
      );
    }
    metrics.deploy100_ready_s = { value: round(readyS), unit: 's', target: { max: TARGET.deployReadyS } };
    await watcher.stop();
  } finally {
    await agent?.stop();
    client?.close();
    await skiff?.stop();
    await registry?.stop();
    await cleanUp(scope, log);
    await rm(bundleDir, { recursive: true, force: true });
  }
  return { name: 'pods', metrics };
}
