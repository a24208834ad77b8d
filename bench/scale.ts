// The scale suite: a skiff server with a fleet of hollow nodes (src/agent/sim/fleet.ts), measured
// the way upstream's clusterloader2 density test measures (see bench/README.md, "scale"):
//   1. saturation: Deployments of mixed sizes created as fast as they are accepted → throughput;
//   2. latency pods: single-replica Deployments created at a limited rate on the full cluster →
//      pod startup percentiles (creation → Running seen on a watch), the pod startup SLI;
//   3. churn: 20 changes/s, paced and concurrent (src/agent/sim/paced.ts), with single-object
//      reads → API latency per SLO class from the server's own apiserver_request_duration_seconds;
//   4. a cluster-wide LIST of pods, server RSS and store size.
//   SKIFF_SCALE_NODES (5000)  SKIFF_SCALE_PODS (150000)  SKIFF_SCALE_CHURN_S (60)
//   SKIFF_SCALE_TIMEOUT_S (1800: how long saturation may take; the figure reached is reported)
//   SKIFF_SCALE_LATENCY_PODS (500)  SKIFF_SCALE_CPU_PROF (a directory: the server writes a
//   V8 CPU profile there when it stops)
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { fillerDeployment } from '../src/agent/sim/filler.ts';
import { FLEET_LABEL, startFleet } from '../src/agent/sim/fleet.ts';
import { runPaced } from '../src/agent/sim/paced.ts';
import { findKind } from '../src/api/kinds/index.ts';
import type { KObject } from '../src/api/object.ts';
import {
  clientFromKubeconfig,
  isAlreadyExists,
  NAMESPACES,
  PODS,
  type RestClient,
  refOf,
  SharedInformer,
} from '../src/client/index.ts';
import {
  API_SLOS,
  type HistogramSeries,
  histogramQuantile,
  parseHistogram,
  sumSeries,
} from '../src/util/slo.ts';
import { rssMb, startServer } from './server.ts';
import { quantile, round } from './stats.ts';
import type { BenchResult, Metric } from './types.ts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const NODES = env('SKIFF_SCALE_NODES', 5000);
const PODS_TARGET = env('SKIFF_SCALE_PODS', 150_000);
const CHURN_S = env('SKIFF_SCALE_CHURN_S', 60);
const FILL_TIMEOUT_S = env('SKIFF_SCALE_TIMEOUT_S', 1800);
/** clusterloader2 density's MIN_LATENCY_PODS. */
const LATENCY_PODS = env('SKIFF_SCALE_LATENCY_PODS', 500);
const CPU_PROF_DIR = process.env.SKIFF_SCALE_CPU_PROF;
/** Mixed Deployment sizes, cycled (upstream's density tests mix small and large). */
const SIZES = [1, 5, 20, 50, 100, 500];
/** Latency pods are created at clusterloader2's Uniform5qps. */
const LATENCY_QPS = 5;
/** How long latency pods may take to run after the last is created. */
const LATENCY_GRACE_MS = 120_000;
/** The SLO precondition: at most 20 mutating calls per second during measurement. */
const CHURN_PER_S = 20;
/** Two seconds of calls outstanding at most: beyond it the server is saturated, ticks are skipped. */
const CHURN_MAX_IN_FLIGHT = 2 * CHURN_PER_S;
const NAMESPACE = 'skiff-scale';
const GROUP = 'group';
const SATURATION = 'saturation';
const LATENCY = 'latency';
const HISTOGRAM = 'apiserver_request_duration_seconds';
const POLL_MS = 10_000;
/** A clean exit writes the CPU profile; a big heap takes longer than startServer's 5 s grace. */
const STOP_GRACE_MS = 120_000;
const CLOCK_TICKS_PER_S = 100;

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat(5); [0] here is field 3.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

function deltaSeries(after: HistogramSeries[], before: HistogramSeries[]): HistogramSeries[] {
  const old = new Map(before.map((s) => [JSON.stringify(s.labels), s]));
  return after.map((s) => {
    const b = old.get(JSON.stringify(s.labels));
    return {
      labels: s.labels,
      buckets: s.buckets.map((x, i) => ({ le: x.le, count: x.count - (b?.buckets[i]?.count ?? 0) })),
    };
  });
}

const metricsText = (c: RestClient) => c.text({ method: 'GET', path: '/metrics', accept: 'text/plain' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function dirBytes(dir: string): number {
  let total = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    total += f.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

/** Running pods per group, and each pod's startup as the SLI defines it (see README). */
class StartupWatch {
  readonly running = new Map<string, number>();
  /** Per group: creation → Running seen, in ms. */
  readonly startups = new Map<string, number[]>();
  /** Latency Deployment name → when its create call was sent (epoch ms). */
  readonly createdAt = new Map<string, number>();
  readonly #addedAt = new Map<string, number>();
  readonly #done = new Set<string>();

  observe(type: string, pod: Pod): void {
    const uid = pod.metadata?.uid;
    const group = pod.metadata?.labels?.[GROUP];
    if (!uid || !group || this.#done.has(uid)) return;
    const now = Date.now();
    if (type === 'ADDED' && !this.#addedAt.has(uid)) this.#addedAt.set(uid, now);
    if (pod.status?.phase !== 'Running') return;
    this.#done.add(uid);
    this.running.set(group, (this.running.get(group) ?? 0) + 1);
    // creationTimestamp has whole seconds: alone it would add up to 1 s. The pod cannot predate
    // its Deployment's create call either, so the later of the two bounds is used (still ≤ the
    // true creation, so the figure errs long). Saturation pods come from one burst: for them the
    // watch's ADDED is the creation mark (informational, no SLO).
    const created =
      group === LATENCY
        ? Math.max(
            Date.parse(pod.metadata?.creationTimestamp ?? '') || 0,
            this.createdAt.get(pod.metadata?.labels?.app ?? '') ?? 0,
          )
        : (this.#addedAt.get(uid) ?? now);
    this.#addedAt.delete(uid);
    const list = this.startups.get(group) ?? [];
    list.push(now - created);
    this.startups.set(group, list);
  }

  count(group: string): number {
    return this.running.get(group) ?? 0;
  }
}

export async function run(log: (line: string) => void): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-scale-'));
  // NODE_OPTIONS reaches the server through the launcher; --cpu-prof writes on a clean exit.
  const savedNodeOptions = process.env.NODE_OPTIONS;
  if (CPU_PROF_DIR)
    process.env.NODE_OPTIONS = `${savedNodeOptions ?? ''} --cpu-prof --cpu-prof-dir=${CPU_PROF_DIR}`.trim();
  const { server } = await startServer(dataDir).finally(() => {
    if (savedNodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = savedNodeOptions;
  });
  const pid = server.proc.pid!;
  const client = await clientFromKubeconfig(join(dataDir, 'kubeconfig.yaml'), {
    userAgent: 'skiff-bench-scale',
  });
  const metrics: Record<string, Metric> = {};
  const ms = (value: number, target?: number): Metric => ({
    value: round(value),
    unit: 'ms',
    ...(target !== undefined ? { target: { max: target } } : {}),
  });
  metrics.loadavg_1m_start = { value: round(loadavg()[0]), unit: 'load' };
  try {
    log(`fleet of ${NODES} hollow nodes`);
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const fleet = await startFleet({ client, nodes: NODES, zones: 3, registerConcurrency: 32, workers: 16 });
    const tFleet = performance.now();
    metrics.nodes = { value: NODES, unit: 'nodes' };
    metrics.register_nodes_s = { value: round((performance.now() - t0) / 1000), unit: 's' };
    metrics.rss_per_hollow_node_kb = {
      value: round((process.memoryUsage().rss - rss0) / 1024 / NODES),
      unit: 'KB',
    };

    await client
      .resource(NAMESPACES)
      .create({ metadata: { name: NAMESPACE } })
      .catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
    const pods = new StartupWatch();
    // An informer, not a bare watch: it re-lists if the server drops a slow watcher.
    const informer = new SharedInformer<KObject>(client.resource<KObject>(PODS, NAMESPACE), {
      labelSelector: GROUP,
      freeze: false,
      name: 'scale pods',
    });
    informer.addEventHandler({
      onAdd: (p) => pods.observe('ADDED', p as Pod),
      onUpdate: (_, p) => pods.observe('MODIFIED', p as Pod),
    });
    informer.start();
    await informer.waitForSync();
    const deployments = client.resource(refOf(findKind('apps', 'deployments')!), NAMESPACE);
    const nodeSelector = { [FLEET_LABEL]: fleet.id };

    // --- 1. saturation: as fast as the server takes them ---
    log(`saturation: ${PODS_TARGET} pods`);
    const tFill = performance.now();
    const deadline = tFill + FILL_TIMEOUT_S * 1000;
    const sizes: number[] = [];
    for (let planned = 0, i = 0; planned < PODS_TARGET && performance.now() < deadline; i++) {
      const size = Math.min(SIZES[i % SIZES.length], PODS_TARGET - planned);
      await deployments.create(
        fillerDeployment(`scale-${i}`, size, { nodeSelector, labels: { [GROUP]: SATURATION } }),
      );
      sizes.push(size);
      planned += size;
      if (sizes.length % 50 === 0)
        log(`${sizes.length} Deployments (${planned} pods) created, ${pods.count(SATURATION)} running`);
    }
    const planned = sizes.reduce((a, b) => a + b, 0);
    if (planned < PODS_TARGET) log(`saturation timeout with ${planned} pods asked for`);
    let cpu = cpuSeconds(pid);
    while (pods.count(SATURATION) < planned && performance.now() < deadline) {
      await sleep(POLL_MS);
      const now = cpuSeconds(pid);
      log(
        `${pods.count(SATURATION)} / ${planned} pods running; server CPU ${Math.round(((now - cpu) * 100_000) / POLL_MS)}%, load ${loadavg()[0].toFixed(1)}`,
      );
      cpu = now;
    }
    const fillS = (performance.now() - tFill) / 1000;
    const saturated = pods.count(SATURATION);
    metrics.pods = { value: saturated, unit: 'pods', target: { min: PODS_TARGET } };
    metrics.deployments = { value: sizes.length, unit: 'deployments' };
    metrics.saturation_pods_per_s = { value: round(saturated / fillS), unit: 'pods/s' };
    const satStartups = pods.startups.get(SATURATION) ?? [];
    metrics.saturation_startup_p50_ms = ms(quantile(satStartups, 0.5));
    metrics.saturation_startup_p99_ms = ms(quantile(satStartups, 0.99));

    // --- 2. latency pods: one at a time at 5/s on the saturated cluster ---
    log(`latency pods: ${LATENCY_PODS} at ${LATENCY_QPS}/s`);
    const latency = await runPaced({
      ratePerS: LATENCY_QPS,
      durationMs: (LATENCY_PODS / LATENCY_QPS) * 1000,
      maxInFlight: LATENCY_QPS * 4,
      op: async (i) => {
        const name = `latency-${i}`;
        pods.createdAt.set(name, Date.now());
        await deployments.create(fillerDeployment(name, 1, { nodeSelector, labels: { [GROUP]: LATENCY } }));
      },
    });
    const latencyDeadline = performance.now() + LATENCY_GRACE_MS;
    while (pods.count(LATENCY) < latency.issued - latency.failed && performance.now() < latencyDeadline)
      await sleep(POLL_MS / 20);
    const latStartups = pods.startups.get(LATENCY) ?? [];
    metrics.latency_pods = { value: latStartups.length, unit: 'pods', target: { min: LATENCY_PODS } };
    metrics.startup_p50_ms = ms(quantile(latStartups, 0.5));
    metrics.startup_p90_ms = ms(quantile(latStartups, 0.9));
    metrics.startup_p99_ms = ms(quantile(latStartups, 0.99), 5000);

    // --- 3. churn: 20 scale changes/s, paced, each with a single-object read ---
    log(`churn: ${CHURN_S} s at ${CHURN_PER_S} changes/s`);
    const before = parseHistogram(await metricsText(client), HISTOGRAM);
    // Its own connections: the fleet's status writes must not queue the churn client-side.
    const churnClient = await clientFromKubeconfig(join(dataDir, 'kubeconfig.yaml'), {
      userAgent: 'skiff-bench-scale-churn',
    });
    const podsApi = churnClient.resource(PODS, NAMESPACE);
    const churnDeployments = churnClient.resource(refOf(findKind('apps', 'deployments')!), NAMESPACE);
    const names = (await podsApi.list({ limit: 500 })).items.map((p) => p.metadata?.name as string);
    // Each Deployment goes +1 then back −1, so the pod count holds.
    const grown = new Set<number>();
    const churn = await runPaced({
      ratePerS: CHURN_PER_S,
      durationMs: CHURN_S * 1000,
      maxInFlight: CHURN_MAX_IN_FLIGHT,
      op: async (tick) => {
        const d = tick % sizes.length;
        const up = !grown.has(d);
        if (up) grown.add(d);
        else grown.delete(d);
        await churnDeployments.patch(`scale-${d}`, 'merge', { spec: { replicas: sizes[d] + (up ? 1 : 0) } });
        if (names.length) await podsApi.get(names[tick % names.length]);
      },
    });
    churnClient.close();
    metrics.churn_changes_per_s = {
      value: round(churn.achievedPerS),
      unit: 'changes/s',
      target: { min: CHURN_PER_S * 0.95 },
    };
    metrics.churn_skipped = { value: churn.skipped, unit: 'ticks' };
    metrics.churn_failed = { value: churn.failed, unit: 'calls' };
    const delta = deltaSeries(parseHistogram(await metricsText(client), HISTOGRAM), before);
    const p99Of = (sli: string) => {
      const slo = API_SLOS.find((s) => s.sli === sli)!;
      const q = histogramQuantile(0.99, sumSeries(delta.filter((s) => slo.match(s.labels))));
      return q === undefined ? Number.NaN : q * 1000;
    };
    metrics.mutating_p99_ms = ms(p99Of('mutating API calls'), 1000);
    metrics.read_p99_ms = ms(p99Of('read: single object (GET)'), 1000);

    // --- 4. the cluster-wide LIST and the server's footprint ---
    log('cluster-wide LIST of pods');
    const tList = performance.now();
    const body = await client.text({ method: 'GET', path: '/api/v1/pods', accept: 'application/json' });
    metrics.list_pods_ms = ms(performance.now() - tList, 30_000);
    metrics.list_pods_mb = { value: round(body.length / 2 ** 20), unit: 'MB' };
    metrics.server_rss_mb = { value: round(rssMb(pid)), unit: 'MB' };
    metrics.server_cpu_s = { value: round(cpuSeconds(pid)), unit: 's' };
    metrics.store_mb = { value: round(dirBytes(dataDir) / 2 ** 20), unit: 'MB' };
    metrics.loadavg_1m_end = { value: round(loadavg()[0]), unit: 'load' };
    // Upstream's kubelet renews every 10 s: nodes / 10 per second is the rate to hold.
    const beats = fleet.heartbeats();
    metrics.lease_renewals_per_s = {
      value: round(beats.started / ((performance.now() - tFleet) / 1000)),
      unit: 'writes/s',
    };
    metrics.lease_renewals_skipped = { value: beats.skipped, unit: 'renewals' };

    await informer.dispose();
    await fleet.stop();
  } finally {
    client.close();
    if (server.proc.exitCode === null) {
      const exited = new Promise((r) => server.proc.once('exit', r));
      server.proc.kill('SIGTERM');
      // unref: a pending grace timer must not hold the benchmark open after the server exited.
      await Promise.race([exited, new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
    }
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { name: 'scale', metrics };
}
