// API server benchmark: start-up to /readyz, idle memory, write latency at a fixed rate, a large
// LIST, and watch fan-out latency. It runs the bundled CLI as users do (`skiff up` on a temp data
// dir, agent disabled) and talks HTTPS with the admin credentials from the kubeconfig.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { rssMb, type Server, startServer } from './server.ts';
import { inFlight, quantile, round } from './stats.ts';
import type { BenchResult, Metric } from './types.ts';

/** Start-ups measured (the first on an empty data dir also issues the PKI). */
const START_RUNS = 5;
/** Writes at a fixed rate: 100/s for 10 s. */
const WRITE_QPS = 100;
const WRITE_SECONDS = 10;
const LIST_PODS = 10_000;
const LIST_RUNS = 5;
const WATCHERS = 1000;
const WATCH_EVENTS = 20;
const IDLE_SETTLE_MS = 3000;
/** Pods created before the memory reading (of the LIST_PODS), and the pause before reading it. */
const RSS_PODS = 5000;
const RSS_SETTLE_MS = 5000;

class Client {
  readonly agent: Agent;
  readonly #port: number;
  constructor(dataDir: string, port: number, maxSockets = 64) {
    const kc = parse(readFileSync(join(dataDir, 'kubeconfig.yaml'), 'utf8'));
    const b = (s: string) => Buffer.from(s, 'base64');
    this.agent = new Agent({
      keepAlive: true,
      maxSockets,
      ca: b(kc.clusters[0].cluster['certificate-authority-data']),
      cert: b(kc.users[0].user['client-certificate-data']),
      key: b(kc.users[0].user['client-key-data']),
    });
    this.#port = port;
  }
  req(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    return new Promise((res, rej) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const r = request(
        {
          host: '127.0.0.1',
          port: this.#port,
          path,
          method,
          agent: this.agent,
          headers: { Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json' } : {}) },
        },
        (resp) => {
          const chunks: Buffer[] = [];
          resp.on('data', (c) => chunks.push(c));
          resp.on('end', () => res({ status: resp.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        },
      );
      r.on('error', rej);
      r.end(data);
    });
  }
  async must(method: string, path: string, body?: unknown): Promise<unknown> {
    const r = await this.req(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
    return JSON.parse(r.body);
  }
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
});

export async function run(log: (line: string) => void): Promise<BenchResult> {
  const metrics: Record<string, Metric> = {};
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-api-'));
  try {
    // Start-up: the first run issues certificates; the rest are warm restarts of the same data dir.
    log('start-up runs');
    const starts: number[] = [];
    let srv: Server | undefined;
    for (let i = 0; i < START_RUNS; i++) {
      const { server, readyMs } = await startServer(dataDir);
      starts.push(readyMs);
      if (i < START_RUNS - 1) await server.stop();
      else srv = server;
    }
    metrics.ready_ms_first_start = { value: round(starts[0]), unit: 'ms' };
    metrics.ready_ms = { value: round(quantile(starts.slice(1), 0.5)), unit: 'ms', target: { max: 1000 } };
    const server = srv!;
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
    const idleRss = rssMb(server.proc.pid!);
    metrics.idle_rss_mb = { value: round(idleRss), unit: 'MB', target: { max: 80 } };

    const c = new Client(dataDir, server.port);
    log('writes at 100/s');
    // Writes at 100/s: alternate creates and updates of ConfigMaps, latency per request.
    const lat: number[] = [];
    const total = WRITE_QPS * WRITE_SECONDS;
    const t0 = performance.now();
    const inflight: Promise<void>[] = [];
    // Creates and updates alternate; an update is sent at its slot but never before its object's
    // create has been acknowledged (otherwise a slow create would turn it into a 404).
    const created = new Map<number, Promise<unknown>>();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / WRITE_QPS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const n = Math.floor(i / 2);
      const send = async () => {
        if (i % 2 === 1) await created.get(n);
        const start = performance.now();
        await (i % 2 === 0
          ? c.must('POST', '/api/v1/namespaces/default/configmaps', {
              metadata: { name: `w-${n}` },
              data: { v: '0' },
            })
          : c.must('PUT', `/api/v1/namespaces/default/configmaps/w-${n}`, {
              metadata: { name: `w-${n}` },
              data: { v: '1' },
            }));
        lat.push(performance.now() - start);
      };
      const p = send();
      if (i % 2 === 0) created.set(n, p);
      inflight.push(p);
    }
    await Promise.all(inflight);
    metrics.write_p50_ms_100qps = { value: round(quantile(lat, 0.5)), unit: 'ms' };
    metrics.write_p99_ms_100qps = { value: round(quantile(lat, 0.99)), unit: 'ms', target: { max: 10 } };

    // LIST of 10,000 pods.
    // Memory per pod first: the server as `skiff up --disable agent` runs it (controller manager and
    // scheduler in-process, each with its informers), so every pod sits in the watch cache, in the
    // informers and in the scheduler's queue (no nodes: the pods stay Pending).
    log(`creating ${RSS_PODS} pods, then memory`);
    const rssBase = rssMb(server.proc.pid!);
    await inFlight(RSS_PODS, 32, (i) => c.must('POST', '/api/v1/namespaces/default/pods', pod(`p-${i}`)));
    await new Promise((r) => setTimeout(r, RSS_SETTLE_MS));
    const rss5k = rssMb(server.proc.pid!);
    metrics.rss_mb_5000_pods = { value: round(rss5k), unit: 'MB' };
    metrics.rss_kb_per_pod = { value: round(((rss5k - rssBase) * 1024) / RSS_PODS), unit: 'KB' };
    log(`creating ${LIST_PODS - RSS_PODS} more pods`);
    await inFlight(LIST_PODS - RSS_PODS, 32, (i) =>
      c.must('POST', '/api/v1/namespaces/default/pods', pod(`p-${RSS_PODS + i}`)),
    );
    const lists: number[] = [];
    for (let i = 0; i < LIST_RUNS; i++) {
      // Timed: request sent → whole body received (the server's list latency); the client's own
      // JSON.parse of ~30 MB is not the server's cost and is done after.
      const s = performance.now();
      const r = await c.req('GET', '/api/v1/namespaces/default/pods');
      lists.push(performance.now() - s);
      const items = JSON.parse(r.body).items.length;
      if (items !== LIST_PODS) throw new Error(`listed ${items} pods, expected ${LIST_PODS}`);
    }
    metrics.list_10k_pods_ms = { value: round(quantile(lists, 0.5)), unit: 'ms', target: { max: 300 } };

    log(`${WATCHERS} watchers`);
    metrics.watch_p99_ms_1000_watchers = {
      value: round(await watchFanout(dataDir, server.port, c)),
      unit: 'ms',
      target: { max: 100 },
    };
    c.agent.destroy();
    await server.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { name: 'api', metrics };
}

/** 1000 watch connections on ConfigMaps; each event's delivery delay from the write's start. */
async function watchFanout(dataDir: string, port: number, writer: Client): Promise<number> {
  const wc = new Client(dataDir, port, WATCHERS + 10);
  const sent = new Map<string, number>();
  const delays: number[] = [];
  const reqs: ReturnType<typeof request>[] = [];
  let connected = 0;
  await new Promise<void>((resolveAll, rej) => {
    for (let i = 0; i < WATCHERS; i++) {
      const r = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/namespaces/bench-watch/configmaps?watch=true',
          agent: wc.agent,
          headers: { Accept: 'application/json' },
        },
        (resp) => {
          if (++connected === WATCHERS) resolveAll();
          let buf = '';
          resp.setEncoding('utf8');
          resp.on('data', (d: string) => {
            buf += d;
            let nl = buf.indexOf('\n');
            while (nl >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              const ev = JSON.parse(line);
              const t = sent.get(ev.object?.metadata?.name);
              if (t !== undefined && ev.type === 'ADDED') delays.push(performance.now() - t);
              nl = buf.indexOf('\n');
            }
          });
        },
      );
      r.on('error', rej);
      r.end();
      reqs.push(r);
    }
  });
  await writer.must('POST', '/api/v1/namespaces', { metadata: { name: 'bench-watch' } });
  for (let i = 0; i < WATCH_EVENTS; i++) {
    const name = `e-${i}`;
    sent.set(name, performance.now());
    await writer.must('POST', '/api/v1/namespaces/bench-watch/configmaps', { metadata: { name } });
    const deadline = performance.now() + 10_000;
    while (delays.length < (i + 1) * WATCHERS && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  if (delays.length < WATCH_EVENTS * WATCHERS) throw new Error(`only ${delays.length} deliveries`);
  for (const r of reqs) r.destroy();
  wc.agent.destroy();
  return quantile(delays, 0.99);
}
