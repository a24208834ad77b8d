// The Node object the agent registers, built from facts about the machine (node-facts.ts), and its
// conditions. Pure: the facts are passed in, so the shapes are unit-tested without a host.
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.d.ts';

export const KUBELET_VERSION = 'v1.32.0-skiff';
export const MAX_PODS = 110;
/** Reserved for the system and the agent itself (kubelet's --system-reserved analogue). */
export const RESERVED_CPU_MILLI = 100;
/** Memory kept back: the kubelet's hard eviction threshold `memory.available<100Mi`. */
export const RESERVED_MEMORY_BYTES = 100 * 1024 * 1024;
/** Share of the disk kept back: kubelet's `nodefs.available<10%`. */
export const RESERVED_DISK_FRACTION = 0.1;

export interface NodeFacts {
  hostname: string;
  internalIP: string;
  cpus: number;
  memoryBytes: number;
  memoryAvailableBytes: number;
  diskBytes: number;
  diskAvailableBytes: number;
  bootId: string;
  machineId: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  runtimeVersion: string;
  /** The agent API's port (daemonEndpoints.kubeletEndpoint), 0 when not served. */
  kubeletPort?: number;
}

const ki = (bytes: number): string => `${Math.floor(bytes / 1024)}Ki`;

export function capacityOf(f: NodeFacts): Record<string, string> {
  return {
    cpu: String(f.cpus),
    memory: ki(f.memoryBytes),
    pods: String(MAX_PODS),
    'ephemeral-storage': ki(f.diskBytes),
  };
}

export function allocatableOf(f: NodeFacts): Record<string, string> {
  return {
    cpu: `${Math.max(0, f.cpus * 1000 - RESERVED_CPU_MILLI)}m`,
    memory: ki(Math.max(0, f.memoryBytes - RESERVED_MEMORY_BYTES)),
    pods: String(MAX_PODS),
    'ephemeral-storage': String(Math.floor(f.diskBytes * (1 - RESERVED_DISK_FRACTION))),
  };
}

interface ConditionSpec {
  type: string;
  bad: boolean;
  good: [reason: string, message: string];
  badText: [reason: string, message: string];
}

/** The node's conditions (the kubelet's wording); transition times kept while the status stays. */
export function nodeConditions(f: NodeFacts, old: NodeCondition[] | undefined, now: string): NodeCondition[] {
  const specs: ConditionSpec[] = [
    {
      type: 'MemoryPressure',
      bad: f.memoryAvailableBytes < RESERVED_MEMORY_BYTES,
      good: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      badText: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
    },
    {
      type: 'DiskPressure',
      bad: f.diskAvailableBytes < f.diskBytes * RESERVED_DISK_FRACTION,
      good: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      badText: ['KubeletHasDiskPressure', 'kubelet has disk pressure'],
    },
    {
      type: 'PIDPressure',
      bad: false,
      good: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      badText: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
    },
  ];
  const out: NodeCondition[] = specs.map((s) => {
    const status = s.bad ? 'True' : 'False';
    const [reason, message] = s.bad ? s.badText : s.good;
    return cond(old, s.type, status, reason, message, now);
  });
  out.push(cond(old, 'Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', now));
  return out;
}

function cond(
  old: NodeCondition[] | undefined,
  type: string,
  status: string,
  reason: string,
  message: string,
  now: string,
): NodeCondition {
  const prev = old?.find((c) => c.type === type);
  return {
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
    reason,
    message,
  };
}

/** Status without the volatile heartbeat times: a change here is worth an immediate update. */
export function statusFingerprint(node: Node): string {
  const s = node.status ?? {};
  const conds = (s.conditions ?? []).map((c) => `${c.type}=${c.status}`);
  return JSON.stringify([s.capacity, s.allocatable, s.addresses, s.nodeInfo, conds, s.daemonEndpoints]);
}

export function buildNodeStatus(
  f: NodeFacts,
  old: Node | undefined,
  now: string,
): NonNullable<Node['status']> {
  return {
    ...(old?.status ?? {}),
    capacity: capacityOf(f),
    allocatable: allocatableOf(f),
    addresses: [
      { type: 'InternalIP', address: f.internalIP },
      { type: 'Hostname', address: f.hostname },
    ],
    nodeInfo: {
      machineID: f.machineId,
      systemUUID: f.machineId,
      bootID: f.bootId,
      kernelVersion: f.kernelVersion,
      osImage: f.osImage,
      containerRuntimeVersion: f.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: f.architecture,
    },
    conditions: nodeConditions(f, old?.status?.conditions, now),
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort ?? 0 } },
  };
}

export function buildNode(name: string, f: NodeFacts, podCidr: string | undefined, now: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': f.architecture,
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': f.architecture,
      },
    },
    spec: podCidr ? { podCIDR: podCidr, podCIDRs: [podCidr] } : {},
    status: buildNodeStatus(f, undefined, now),
  };
}
