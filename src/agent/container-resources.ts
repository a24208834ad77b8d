// A container's resources (requests/limits quantities) → the runtime's cgroup settings, as the
// kubelet derives them: requests.cpu drives cpu.shares, limits.cpu the CFS quota, limits.memory
// memory.limit_in_bytes; the pids limit is node configuration (kubelet's --pod-max-pids).
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import { tryParseQuantity } from '../api/quantity.ts';
import type { ContainerResources } from './runtime/cgroup-resources.ts';

const NANOS_PER_MILLI = 1_000_000n;
const NANOS_PER_UNIT = 1_000_000_000n;

/** Whole units of `q`, rounded up (a quantity is stored in nano-units); undefined when unset. */
function ceilDiv(value: string | undefined, per: bigint): number | undefined {
  if (value === undefined) return undefined;
  const q = tryParseQuantity(String(value));
  if (!q || q.nanos <= 0n) return undefined;
  return Number((q.nanos + per - 1n) / per);
}

export function containerResources(c: Container, pidsLimit?: number): ContainerResources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  // Upstream's defaulting copies a limit into an unset request, so shares follow the limit then.
  const cpuRequestMilli = ceilDiv(req.cpu ?? lim.cpu, NANOS_PER_MILLI);
  const cpuLimitMilli = ceilDiv(lim.cpu, NANOS_PER_MILLI);
  const memoryLimitBytes = ceilDiv(lim.memory, NANOS_PER_UNIT);
  return {
    ...(cpuRequestMilli !== undefined ? { cpuRequestMilli } : {}),
    ...(cpuLimitMilli !== undefined ? { cpuLimitMilli } : {}),
    ...(memoryLimitBytes !== undefined ? { memoryLimitBytes } : {}),
    ...(pidsLimit !== undefined && pidsLimit > 0 ? { pidsLimit } : {}),
  };
}
