// metrics.k8s.io samples: node and pod usage (cpu in cores, memory in bytes), parsed from the
// Kubernetes quantity strings the API returns ("250m", "1536Ki", "12345n").
import { type Api, ApiFailure } from './api.ts';

export const NODE_METRICS_PATH = '/apis/metrics.k8s.io/v1beta1/nodes';
export const POD_METRICS_PATH = '/apis/metrics.k8s.io/v1beta1/pods';

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

export function parseQuantity(q: string): number {
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m || !(m[2] in SUFFIX)) throw new Error(`bad quantity ${q}`);
  return Number(m[1]) * SUFFIX[m[2]];
}

export interface UsageSample {
  time: number;
  /** name → [cpu cores, memory bytes] */
  nodes: Map<string, [number, number]>;
  pods: Map<string, [number, number]>;
}

interface MetricsItem {
  metadata: { name: string; namespace?: string };
  usage?: { cpu: string; memory: string };
  containers?: { usage: { cpu: string; memory: string } }[];
}

/** One sample, or undefined when the metrics API is not served (404/503: no metrics server). */
export async function sampleUsage(api: Api, now = Date.now()): Promise<UsageSample | undefined> {
  try {
    // One after the other: the API server scrapes each agent once and reuses that summary for a
    // few seconds, while two concurrent misses scrape twice a few ms apart — and a CPU rate over
    // a few ms reads as 0 (or noise).
    const nodes = await api.request<{ items: MetricsItem[] }>(NODE_METRICS_PATH);
    const pods = await api.request<{ items: MetricsItem[] }>(POD_METRICS_PATH);
    const sample: UsageSample = { time: now, nodes: new Map(), pods: new Map() };
    for (const n of nodes.items) {
      if (n.usage)
        sample.nodes.set(n.metadata.name, [parseQuantity(n.usage.cpu), parseQuantity(n.usage.memory)]);
    }
    for (const p of pods.items) {
      let cpu = 0;
      let mem = 0;
      for (const c of p.containers ?? []) {
        cpu += parseQuantity(c.usage.cpu);
        mem += parseQuantity(c.usage.memory);
      }
      sample.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, [cpu, mem]);
    }
    return sample;
  } catch (e) {
    if (e instanceof ApiFailure && (e.code === 404 || e.code === 503)) return undefined;
    throw e;
  }
}

export interface PodUsage {
  namespace: string;
  name: string;
  cpu: number;
  memory: number;
}

/** The sample's pods, busiest CPU first (memory breaks ties), at most `limit` of them. */
export function topPods(sample: UsageSample, limit: number): PodUsage[] {
  return [...sample.pods]
    .map(([key, [cpu, memory]]) => {
      const slash = key.indexOf('/');
      return { namespace: key.slice(0, slash), name: key.slice(slash + 1), cpu, memory };
    })
    .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** CPU as `kubectl top` prints it: whole millicores. */
export const formatCpu = (cores: number): string => `${Math.round(cores * 1000)}m`;

/**
 * Memory as `kubectl top` prints it (whole MiB), but in KiB below 1 MiB: a small container's
 * working set would otherwise read as an alarming "0Mi".
 */
export const formatMemory = (bytes: number): string =>
  bytes < 2 ** 20 ? `${Math.round(bytes / 2 ** 10)}Ki` : `${Math.round(bytes / 2 ** 20)}Mi`;
