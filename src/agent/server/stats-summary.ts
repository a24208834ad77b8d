// GET /stats/summary: the kubelet Summary API's shape, trimmed to what metrics.k8s.io needs —
// cumulative CPU time and an instantaneous rate (from the previous sample of the same cgroup),
// memory usage and working set (usage minus inactive file pages, as cAdvisor computes it) for the
// node, each pod and each running container. Counters come from the cgroup v1 hierarchies when
// the container is there, else from the unified (v2) hierarchy.
import { readFile } from 'node:fs/promises';
import { isoMillis } from '../../util/time-format.ts';
import type { ContainerRuntime } from '../runtime/types.ts';

export interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}

export interface MemoryStats {
  time: string;
  usageBytes: number;
  workingSetBytes: number;
}

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface PodStats {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerStats[];
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface Summary {
  node: { nodeName: string; startTime: string; cpu: CpuStats; memory: MemoryStats };
  pods: PodStats[];
}

const CGROUP_MOUNT = '/sys/fs/cgroup';
const NS_PER_US = 1000;
/** /proc/stat counts in USER_HZ ticks, 100 per second on Linux. */
const NS_PER_TICK = 10_000_000;

interface Sample {
  cpuNs: number;
  atMs: number;
}

/** Keeps the previous CPU sample per cgroup so each summary carries a rate. */
export class StatsCollector {
  readonly #prev = new Map<string, Sample>();
  readonly #runtime: ContainerRuntime;
  readonly #cgroupRoot: string;
  readonly #nodeName: string;
  readonly #bootTime = isoMillis(Date.now() - process.uptime() * 1000);

  constructor(runtime: ContainerRuntime, opts: { nodeName: string; cgroupRoot?: string }) {
    this.#runtime = runtime;
    this.#nodeName = opts.nodeName;
    this.#cgroupRoot = opts.cgroupRoot ?? '/skiff';
  }

  async summary(): Promise<Summary> {
    const nowMs = Date.now();
    const now = isoMillis(nowMs);
    const pods: PodStats[] = [];
    for (const sb of await this.#runtime.listSandboxes()) {
      if (sb.state !== 'ready') continue;
      const containers: ContainerStats[] = [];
      for (const c of await this.#runtime.listContainers({ sandboxId: sb.id, state: 'running' })) {
        const path = `${this.#cgroupRoot}/${sb.podUid}/${c.id}`;
        const cpuNs = await cgroupCpuNs(path);
        const mem = await cgroupMemory(path);
        if (cpuNs === undefined || !mem) continue;
        containers.push({
          name: c.name,
          startTime: isoMillis((c.startedAt ?? c.createdAt).getTime()),
          cpu: this.#cpu(path, cpuNs, nowMs, now),
          memory: { time: now, ...mem },
        });
      }
      const sum = (f: (c: ContainerStats) => number) => containers.reduce((a, c) => a + f(c), 0);
      pods.push({
        podRef: { name: sb.name, namespace: sb.namespace, uid: sb.podUid },
        startTime: isoMillis(sb.createdAt.getTime()),
        containers,
        cpu: {
          time: now,
          usageCoreNanoSeconds: sum((c) => c.cpu.usageCoreNanoSeconds),
          usageNanoCores: sum((c) => c.cpu.usageNanoCores ?? 0),
        },
        memory: {
          time: now,
          usageBytes: sum((c) => c.memory.usageBytes),
          workingSetBytes: sum((c) => c.memory.workingSetBytes),
        },
      });
    }
    return {
      node: {
        nodeName: this.#nodeName,
        startTime: this.#bootTime,
        cpu: this.#cpu('/', await hostCpuNs(), nowMs, now),
        memory: { time: now, ...(await hostMemory()) },
      },
      pods,
    };
  }

  /** `now` is `nowMs` formatted, once per summary. */
  #cpu(key: string, cpuNs: number, nowMs: number, now: string): CpuStats {
    const prev = this.#prev.get(key);
    this.#prev.set(key, { cpuNs, atMs: nowMs });
    const out: CpuStats = { time: now, usageCoreNanoSeconds: cpuNs };
    if (prev && nowMs > prev.atMs)
      out.usageNanoCores = Math.max(0, Math.round(((cpuNs - prev.cpuNs) * 1000) / (nowMs - prev.atMs)));
    return out;
  }
}

const readText = (p: string) => readFile(p, 'utf8').catch(() => undefined);

function statField(text: string | undefined, field: string): number | undefined {
  const m = text && new RegExp(`^${field} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

export async function cgroupCpuNs(path: string): Promise<number | undefined> {
  const v1 = await readText(`${CGROUP_MOUNT}/cpuacct${path}/cpuacct.usage`);
  if (v1 !== undefined) return Number(v1.trim());
  const us = statField(await readText(`${CGROUP_MOUNT}/unified${path}/cpu.stat`), 'usage_usec');
  return us === undefined ? undefined : us * NS_PER_US;
}

export async function cgroupMemory(path: string): Promise<Omit<MemoryStats, 'time'> | undefined> {
  const v1 = await readText(`${CGROUP_MOUNT}/memory${path}/memory.usage_in_bytes`);
  if (v1 !== undefined) {
    const usage = Number(v1.trim());
    const inactive = statField(
      await readText(`${CGROUP_MOUNT}/memory${path}/memory.stat`),
      'total_inactive_file',
    );
    return { usageBytes: usage, workingSetBytes: Math.max(0, usage - (inactive ?? 0)) };
  }
  const cur = await readText(`${CGROUP_MOUNT}/unified${path}/memory.current`);
  if (cur === undefined) return undefined;
  const usage = Number(cur.trim());
  const inactive = statField(await readText(`${CGROUP_MOUNT}/unified${path}/memory.stat`), 'inactive_file');
  return { usageBytes: usage, workingSetBytes: Math.max(0, usage - (inactive ?? 0)) };
}

async function hostCpuNs(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal …: busy = all but idle and iowait
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return busy * NS_PER_TICK;
}

async function hostMemory(): Promise<Omit<MemoryStats, 'time'>> {
  const t = await readFile('/proc/meminfo', 'utf8');
  const kb = (n: string) => Number(new RegExp(`^${n}:\\s+(\\d+)`, 'm').exec(t)?.[1] ?? 0) * 1024;
  const used = kb('MemTotal') - kb('MemFree');
  return { usageBytes: used, workingSetBytes: kb('MemTotal') - kb('MemAvailable') };
}
