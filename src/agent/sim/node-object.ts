// The Node a hollow node registers: labels, taints, capacity and a kubelet-like Ready status.
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.d.ts';

export const SIM_KUBELET_VERSION = 'v1.32.0-skiff-sim';
/** The address pods and the node report; loopback, so nothing ever leaves the machine. */
export const SIM_HOST_IP = '127.0.0.1';
export const DEFAULT_CAPACITY = { cpu: '4', memory: '16Gi', pods: '110' };

export interface NodeShape {
  name: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  capacity?: { cpu?: string; memory?: string; pods?: string };
  /** Written to spec.podCIDR when the caller chose one (a derived default is kept private). */
  podCidr?: string;
}

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
};
export const nodeArch = (): string => ARCH[process.arch] ?? process.arch;

export function nodeLabels(s: NodeShape): Record<string, string> {
  return {
    'kubernetes.io/hostname': s.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': nodeArch(),
    ...s.labels,
  };
}

function readyConditions(old: NodeCondition[] | undefined, now: string): NodeCondition[] {
  const specs: [type: string, status: string, reason: string, message: string][] = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ];
  return specs.map(([type, status, reason, message]) => {
    const prev = old?.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: now,
      lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : now,
    };
  });
}

export function nodeStatus(s: NodeShape, old: Node | undefined, now: string): NonNullable<Node['status']> {
  const capacity = { ...DEFAULT_CAPACITY, ...s.capacity };
  return {
    capacity,
    allocatable: capacity,
    addresses: [
      { type: 'InternalIP', address: SIM_HOST_IP },
      { type: 'Hostname', address: s.name },
    ],
    nodeInfo: {
      machineID: `skiff-sim-${s.name}`,
      systemUUID: `skiff-sim-${s.name}`,
      bootID: `skiff-sim-${s.name}`,
      kernelVersion: 'skiff-sim',
      osImage: 'skiff hollow node',
      containerRuntimeVersion: 'skiff-sim://1',
      kubeletVersion: SIM_KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: nodeArch(),
    },
    conditions: readyConditions(old?.status?.conditions, now),
    // Port 0: no kubelet API to proxy logs/exec to (and nothing real is reached by mistake).
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
  };
}

export function newNode(s: NodeShape): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: s.name, labels: nodeLabels(s) },
    spec: {
      ...(s.podCidr ? { podCIDR: s.podCidr, podCIDRs: [s.podCidr] } : {}),
      ...(s.taints?.length ? { taints: s.taints } : {}),
    },
  };
}

export const isReady = (n: Node | undefined): boolean =>
  n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
