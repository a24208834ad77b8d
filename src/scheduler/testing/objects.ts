// Compact builders for nodes and pods, used by the tests and their JSON fixtures.
import type { Node, Pod, Taint } from '../types.ts';

export interface NodeSpec {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  /** Extended resources, e.g. {"example.com/gpu": "2"}. */
  scalar?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: { names: string[]; sizeBytes: number }[];
}

/** Upstream's kubelet default max pods. */
const DEFAULT_MAX_PODS = 110;

export function makeNode(s: NodeSpec): Node {
  const allocatable: Record<string, string> = {
    cpu: s.cpu ?? '4',
    memory: s.memory ?? '8Gi',
    pods: String(s.pods ?? DEFAULT_MAX_PODS),
    ...(s.ephemeralStorage ? { 'ephemeral-storage': s.ephemeralStorage } : {}),
    ...(s.scalar ?? {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: s.name, labels: { 'kubernetes.io/hostname': s.name, ...(s.labels ?? {}) } },
    spec: { ...(s.taints ? { taints: s.taints } : {}), ...(s.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable, capacity: allocatable, ...(s.images ? { images: s.images } : {}) },
  };
}

export interface PodSpecShort {
  name: string;
  namespace?: string;
  uid?: string;
  node?: string;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  /** Extra requests, e.g. {"example.com/gpu": "1"}. */
  requests?: Record<string, string>;
  priority?: number;
  hostPorts?: number[];
  image?: string;
  startTime?: string;
  nominatedNodeName?: string;
  /** Merged over the generated spec (affinity, tolerations, topologySpreadConstraints…). */
  spec?: Partial<NonNullable<Pod['spec']>>;
}

export function makePod(s: PodSpecShort): Pod {
  const requests: Record<string, string> = {
    ...(s.cpu ? { cpu: s.cpu } : {}),
    ...(s.memory ? { memory: s.memory } : {}),
    ...(s.requests ?? {}),
  };
  const ns = s.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s.name,
      namespace: ns,
      uid: s.uid ?? `uid-${ns}-${s.name}`,
      labels: s.labels ?? {},
      creationTimestamp: '2024-01-01T00:00:00Z',
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: s.image ?? 'busybox:1.36',
          ...(Object.keys(requests).length ? { resources: { requests } } : {}),
          ...(s.hostPorts ? { ports: s.hostPorts.map((p) => ({ containerPort: p, hostPort: p })) } : {}),
        },
      ],
      ...(s.node ? { nodeName: s.node } : {}),
      ...(s.priority !== undefined ? { priority: s.priority } : {}),
      ...(s.spec ?? {}),
    },
    status: {
      ...(s.startTime ? { startTime: s.startTime } : {}),
      ...(s.nominatedNodeName ? { nominatedNodeName: s.nominatedNodeName } : {}),
    },
  };
}
