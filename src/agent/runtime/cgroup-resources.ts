// Kubernetes container resources → OCI `linux.resources`, with the kubelet's formulas:
//   cpu.shares = requests.cpu (milli) × 1024 / 1000, clamped to [2, 262144]
//   cpu quota  = limits.cpu (milli) × period / 1000 (period 100 ms), at least 1 ms
//   memory     = limits.memory; swap (memsw on cgroup v1) = the same, so containers never swap.

/** cgroup v1's minimum and maximum cpu.shares; 2 is what the kubelet gives BestEffort pods. */
export const MIN_SHARES = 2;
export const MAX_SHARES = 262_144;
const SHARES_PER_CPU = 1024;
const MILLI_PER_CPU = 1000;
/** CFS period the kubelet uses (µs). */
export const QUOTA_PERIOD_US = 100_000;
/** The kernel refuses quotas below 1 ms. */
const MIN_QUOTA_US = 1_000;

export function milliCpuToShares(milliCpu: number): number {
  if (milliCpu <= 0) return MIN_SHARES;
  const shares = Math.floor((milliCpu * SHARES_PER_CPU) / MILLI_PER_CPU);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** 0 means "no quota" (the caller leaves quota unset). */
export function milliCpuToQuota(milliCpu: number, periodUs = QUOTA_PERIOD_US): number {
  if (milliCpu <= 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((milliCpu * periodUs) / MILLI_PER_CPU));
}

export interface ContainerResources {
  /** requests.cpu in millicores; drives cpu.shares. */
  cpuRequestMilli?: number;
  /** limits.cpu in millicores; drives the CFS quota. */
  cpuLimitMilli?: number;
  /** limits.memory in bytes. */
  memoryLimitBytes?: number;
  /** Max processes (pids cgroup). */
  pidsLimit?: number;
}

export interface OciLinuxResources {
  devices: { allow: boolean; access?: string; type?: string }[];
  cpu?: { shares?: number; quota?: number; period?: number };
  memory?: { limit?: number; swap?: number };
  pids?: { limit: number };
}

export function linuxResources(
  r: ContainerResources = {},
  opts: { privileged?: boolean } = {},
): OciLinuxResources {
  // Deny all device access, then runc adds its default device allow-list (null, zero, tty, …).
  const out: OciLinuxResources = {
    devices: opts.privileged ? [{ allow: true, access: 'rwm' }] : [{ allow: false, access: 'rwm' }],
  };
  const cpu: OciLinuxResources['cpu'] = { shares: milliCpuToShares(r.cpuRequestMilli ?? 0) };
  const quota = milliCpuToQuota(r.cpuLimitMilli ?? 0);
  if (quota > 0) {
    cpu.quota = quota;
    cpu.period = QUOTA_PERIOD_US;
  }
  out.cpu = cpu;
  if (r.memoryLimitBytes && r.memoryLimitBytes > 0) {
    out.memory = { limit: r.memoryLimitBytes, swap: r.memoryLimitBytes };
  }
  if (r.pidsLimit && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  return out;
}
