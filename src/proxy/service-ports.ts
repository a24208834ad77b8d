// Turns Services + EndpointSlices into the flat per-port view the renderer needs (upstream's
// ServicePort + Endpoint infos), choosing endpoints the way kube-proxy's CategorizeEndpoints does.
import { isIPv4 } from 'node:net';
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';

/** The label tying an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Upstream's default ClientIP affinity timeout (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface EndpointInfo {
  ip: string;
  port: number;
  /** `ip:port`, the key kube-proxy hashes into the SEP chain name. */
  endpoint: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  local: boolean;
}

export interface ServicePortInfo {
  /** `ns/name:port` (or `ns/name` for an unnamed port), as upstream prints it in comments. */
  name: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0 when the port has none. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** 0: no session affinity. */
  affinitySeconds: number;
  internalLocal: boolean;
  externalLocal: boolean;
  /** Every IPv4 endpoint for this port, sorted by ip then port. */
  endpoints: EndpointInfo[];
}

export const serviceKey = (ns: string, name: string): string => `${ns}/${name}`;

/** Groups slices by `ns/service`; slices without the service-name label belong to no service. */
export function indexSlices(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc || s.addressType !== 'IPv4') continue;
    const key = serviceKey(s.metadata?.namespace ?? 'default', svc);
    const list = out.get(key);
    if (list) list.push(s);
    else out.set(key, [s]);
  }
  return out;
}

/** Whether the proxy programs this Service at all: headless and ExternalName services have no VIP. */
export function isProxied(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return svc.spec?.type !== 'ExternalName' && !!ip && ip !== 'None' && isIPv4(ip);
}

function compareEndpoints(a: EndpointInfo, b: EndpointInfo): number {
  const pa = a.ip.split('.');
  const pb = b.ip.split('.');
  for (let i = 0; i < 4; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return a.port - b.port;
}

function collectEndpoints(
  slices: readonly EndpointSlice[],
  portName: string,
  protocol: string,
  nodeName: string,
): EndpointInfo[] {
  const seen = new Map<string, EndpointInfo>();
  for (const slice of slices) {
    const sp = slice.ports?.find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!sp?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip || !isIPv4(ip)) continue;
      const endpoint = `${ip}:${sp.port}`;
      if (seen.has(endpoint)) continue;
      // Nil conditions: ready unless said otherwise; serving follows ready; not terminating.
      const ready = ep.conditions?.ready ?? true;
      seen.set(endpoint, {
        ip,
        port: sp.port,
        endpoint,
        ready,
        serving: ep.conditions?.serving ?? ready,
        terminating: ep.conditions?.terminating ?? false,
        local: !!nodeName && ep.nodeName === nodeName,
      });
    }
  }
  return [...seen.values()].sort(compareEndpoints);
}

/** One entry per port of a proxied Service, in spec order. */
export function servicePorts(
  svc: Service,
  slices: readonly EndpointSlice[],
  nodeName: string,
): ServicePortInfo[] {
  if (!isProxied(svc)) return [];
  const spec = svc.spec!;
  const base = serviceKey(svc.metadata?.namespace ?? 'default', svc.metadata?.name ?? '');
  const affinity =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS)
      : 0;
  const hasNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => isIPv4(ip));
  return (spec.ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return {
      name: p.name ? `${base}:${p.name}` : base,
      protocol: protocol.toLowerCase() as Protocol,
      clusterIP: spec.clusterIP!,
      port: p.port,
      nodePort: hasNodePorts ? (p.nodePort ?? 0) : 0,
      externalIPs: (spec.externalIPs ?? []).filter((ip) => isIPv4(ip)),
      loadBalancerIPs: lbIPs,
      affinitySeconds: affinity,
      internalLocal: spec.internalTrafficPolicy === 'Local',
      externalLocal: spec.externalTrafficPolicy === 'Local',
      endpoints: collectEndpoints(slices, p.name ?? '', protocol, nodeName),
    };
  });
}

export interface CategorizedEndpoints {
  /** Endpoints for `Cluster` policy: ready ones, else serving-and-terminating ones. */
  cluster: EndpointInfo[];
  /** Endpoints for `Local` policy, chosen the same way among this node's endpoints. */
  local: EndpointInfo[];
  /** Union of the two: the SEP chains this port needs. */
  reachable: EndpointInfo[];
  /** Whether any usable endpoint exists anywhere (none: REJECT; some but not here: DROP). */
  hasAny: boolean;
}

function usable(eps: readonly EndpointInfo[]): EndpointInfo[] {
  const ready = eps.filter((e) => e.ready);
  // Falling back to terminating-but-serving endpoints keeps traffic flowing during a rollout.
  return ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
}

export const externallyAccessible = (sp: ServicePortInfo): boolean =>
  sp.nodePort !== 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;

/** Cluster endpoints are needed unless internal policy is Local and nothing reaches it from outside. */
export const usesClusterEndpoints = (sp: ServicePortInfo): boolean =>
  !sp.internalLocal || externallyAccessible(sp);
export const usesLocalEndpoints = (sp: ServicePortInfo): boolean =>
  sp.internalLocal || (sp.externalLocal && externallyAccessible(sp));

export function categorizeEndpoints(sp: ServicePortInfo): CategorizedEndpoints {
  const cluster = usesClusterEndpoints(sp) ? usable(sp.endpoints) : [];
  const local = usesLocalEndpoints(sp) ? usable(sp.endpoints.filter((e) => e.local)) : [];
  const hasAny = cluster.length > 0 || usable(sp.endpoints).length > 0;
  if (local.length === 0) return { cluster, local, reachable: cluster, hasAny };
  if (cluster.length === 0) return { cluster, local, reachable: local, hasAny };
  const set = new Set<EndpointInfo>([...cluster, ...local]);
  return { cluster, local, reachable: sp.endpoints.filter((e) => set.has(e)), hasAny };
}
