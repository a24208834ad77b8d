// The scale suite: a skiff server with a fleet of hollow nodes (src/agent/sim/fleet.ts) filled
// with Deployments of mixed sizes, then a churn phase at ≤ 20 changes/s (the SLO preconditions),
// measured as upstream's scalability tests measure: API latency per call class from the server's
// own apiserver_request_duration_seconds (the churn window only), pod startup create → Running
// seen on a watch, a cluster-wide LIST of pods, server RSS and store size.
//   SKIFF_SCALE_NODES (5000)  SKIFF_SCALE_PODS (150000)  SKIFF_SCALE_CHURN_S (60)
//   SKIFF_SCALE_TIMEOUT_S (1800: how long filling may take; the figure reached is reported)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillerDeployments } from '../src/agent/sim/filler.ts';
import { startFleet } from '../src/agent/sim/fleet.ts';
import { findKind } from '../src/api/kinds/index.ts';
import { clientFromKubeconfig, PODS, type RestClient, refOf } from '../src/client/index.ts';
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
/** Mixed Deployment sizes, cycled (upstream's density tests mix small and large). */
const SIZES = [1, 5, 20, 50, 100, 500];
/** The SLO precondition: at most 20 mutating calls per second during measurement. */
const CHURN_PER_S = 20;
const NAMESPACE = 'skiff-scale';
const HISTOGRAM = 'apiserver_request_duration_seconds';

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

function dirBytes(dir: string): number {
  let total = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    total += f.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

export async function run(log: (line: string) => void): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-scale-'));
  const { server } = await startServer(dataDir);
  const client = await clientFromKubeconfig(join(dataDir, 'kubeconfig.yaml'), {
    userAgent: 'skiff-bench-scale',
  });
  const metrics: Record<string, Metric> = {};
  try {
    log(`fleet of ${NODES} hollow nodes`);
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const fleet = await startFleet({ client, nodes: NODES, zones: 3, registerConcurrency: 32, workers: 16 });
    metrics.nodes = { value: NODES, unit: 'nodes' };
    metrics.register_nodes_s = { value: round((performance.now() - t0) / 1000), unit: 's' };
    metrics.rss_per_hollow_node_kb = {
      value: round((process.memoryUsage().rss - rss0) / 1024 / NODES),
      unit: 'KB',
    };

    // Pod startup: ADDED on the watch (≈ creation) → first Running.
    const seen = new Map<string, number>();
    const startups: number[] = [];
    let running = 0;
    const watch = await client.resource(PODS, NAMESPACE).watch({ allowWatchBookmarks: true });
    const watching = (async () => {
      for await (const ev of watch) {
        const uid = ev.object.metadata?.uid as string | undefined;
        if (!uid) continue;
        if (ev.type === 'ADDED' && !seen.has(uid)) seen.set(uid, performance.now());
        const phase = (ev.object.status as { phase?: string } | undefined)?.phase;
        const at = seen.get(uid);
        if (phase === 'Running' && at !== undefined) {
          startups.push(performance.now() - at);
          seen.delete(uid);
          running++;
        }
      }
    })();

    log(`filling to ${PODS_TARGET} pods`);
    const tFill = performance.now();
    const deployKind = findKind('apps', 'deployments')!;
    const deployments = client.resource(refOf(deployKind), NAMESPACE);
    let planned = 0;
    let made = 0;
    for (let i = 0; planned < PODS_TARGET; i++) {
      const size = Math.min(SIZES[i % SIZES.length], PODS_TARGET - planned);
      const filler = await fillerDeployments(client, {
        namespace: NAMESPACE,
        pods: size,
        size,
        nodeSelector: { 'sim.skiff.dev/fleet': fleet.id },
        prefix: `scale-${i}`,
      });
      planned += filler.pods;
      made += filler.deployments;
      if (made % 50 === 0) log(`${made} Deployments (${planned} pods) created, ${running} running`);
      if (performance.now() > tFill + FILL_TIMEOUT_S * 1000) {
        log(`fill timeout with ${planned} pods asked for: the server is saturated`);
        break;
      }
    }
    const deadline = tFill + FILL_TIMEOUT_S * 1000;
    let last = -1;
    while (running < PODS_TARGET && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      if (running !== last) log(`${running} / ${PODS_TARGET} pods running`);
      last = running;
    }
    const fillS = (performance.now() - tFill) / 1000;
    metrics.pods = { value: running, unit: 'pods', target: { min: PODS_TARGET } };
    metrics.deployments = { value: made, unit: 'deployments' };
    metrics.fill_pods_per_s = { value: round(running / fillS), unit: 'pods/s' };
    const sorted = [...startups].sort((a, b) => a - b);
    metrics.startup_p50_ms = { value: round(quantile(sorted, 0.5)), unit: 'ms' };
    metrics.startup_p99_ms = { value: round(quantile(sorted, 0.99)), unit: 'ms', target: { max: 5000 } };

    log(`churn: ${CHURN_S} s at ${CHURN_PER_S} changes/s`);
    const before = parseHistogram(await metricsText(client), HISTOGRAM);
    const podsApi = client.resource(PODS, NAMESPACE);
    const names = (await podsApi.list({ limit: 500 })).items.map((p) => p.metadata?.name as string);
    const tChurn = performance.now();
    let ticks = 0;
    for (let tick = 0; tick < CHURN_S * CHURN_PER_S; tick++) {
      // A saturated server makes ticks late: stop at twice the planned window.
      if (performance.now() - tChurn > CHURN_S * 2000) break;
      ticks++;
      const due = tChurn + (tick * 1000) / CHURN_PER_S;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const d = `scale-${tick % made}-0`;
      // A mutation (scale by ±1, back and forth) and a single-object read per tick.
      const cur = await deployments.get(d);
      const replicas = (cur.spec as { replicas: number }).replicas;
      await deployments.patch(d, 'merge', {
        spec: { replicas: tick % 2 === 0 ? replicas + 1 : Math.max(0, replicas - 1) },
      });
      if (names.length) await podsApi.get(names[tick % names.length]).catch(() => undefined);
    }
    metrics.churn_changes_per_s = {
      value: round(ticks / ((performance.now() - tChurn) / 1000)),
      unit: 'changes/s',
    };
    const delta = deltaSeries(parseHistogram(await metricsText(client), HISTOGRAM), before);
    const p99Of = (sli: string) => {
      const slo = API_SLOS.find((s) => s.sli === sli)!;
      const q = histogramQuantile(0.99, sumSeries(delta.filter((s) => slo.match(s.labels))));
      return q === undefined ? Number.NaN : q * 1000;
    };
    metrics.mutating_p99_ms = {
      value: round(p99Of('mutating API calls')),
      unit: 'ms',
      target: { max: 1000 },
    };
    metrics.read_p99_ms = {
      value: round(p99Of('read: single object (GET)')),
      unit: 'ms',
      target: { max: 1000 },
    };

    log('cluster-wide LIST of pods');
    const tList = performance.now();
    const body = await client.text({ method: 'GET', path: '/api/v1/pods', accept: 'application/json' });
    metrics.list_pods_ms = { value: round(performance.now() - tList), unit: 'ms', target: { max: 30_000 } };
    metrics.list_pods_mb = { value: round(body.length / 2 ** 20), unit: 'MB' };
    metrics.server_rss_mb = { value: round(rssMb(server.proc.pid!)), unit: 'MB' };
    metrics.store_mb = { value: round(dirBytes(dataDir) / 2 ** 20), unit: 'MB' };

    watch.stop();
    await watching;
    await fleet.stop();
  } finally {
    client.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { name: 'scale', metrics };
}
