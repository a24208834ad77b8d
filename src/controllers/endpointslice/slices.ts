// The EndpointSlices a Service should have (upstream pkg/controller/endpointslice + the
// endpointslice reconciler, without its churn minimisation): one endpoint per selected pod with an
// IP — terminating pods included, marked by conditions —, grouped by address type and resolved
// port set, at most MAX_ENDPOINTS_PER_SLICE per slice; a Service with nothing to list still gets
// one empty placeholder slice.
import type { KObject } from '../../api/object.ts';
import { byCodeUnit } from '../../util/code-unit-order.ts';
import {
  compareIps,
  comparePorts,
  endpointPort,
  findPort,
  isHeadless,
  isPodReady,
  podHostname,
  podReference,
  selects,
  serviceLabels,
  shouldPodBeInEndpoints,
} from '../endpoints/pods.ts';

/** --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

export interface SliceGroup {
  addressType: 'IPv4' | 'IPv6';
  ports: KObject[];
  /** Chunks of at most MAX_ENDPOINTS_PER_SLICE endpoints, sorted by address. */
  chunks: KObject[][];
}

export const groupKey = (addressType: string, ports: readonly KObject[]): string =>
  `${addressType}|${JSON.stringify(ports)}`;

const addressTypeOf = (ip: string): 'IPv4' | 'IPv6' => (ip.includes(':') ? 'IPv6' : 'IPv4');

export function podEndpoint(pod: KObject, service: KObject, ip: string): KObject {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const serving = publishNotReady || isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  // Compatibility: "ready" is never true for a terminating pod unless not-ready pods are published.
  const ready = publishNotReady || (serving && !terminating);
  const ep: KObject = { addresses: [ip], conditions: { ready, serving, terminating } };
  const hostname = podHostname(pod, service);
  if (hostname) ep.hostname = hostname;
  ep.targetRef = podReference(pod);
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

export function desiredGroups(
  service: KObject,
  pods: readonly KObject[],
  max = MAX_ENDPOINTS_PER_SLICE,
): SliceGroup[] {
  const servicePorts: KObject[] = service.spec?.ports ?? [];
  const groups = new Map<string, { addressType: 'IPv4' | 'IPv6'; ports: KObject[]; endpoints: KObject[] }>();
  for (const pod of pods) {
    if (!selects(service, pod) || !shouldPodBeInEndpoints(pod, true)) continue;
    const ips: string[] = pod.status?.podIPs?.length
      ? pod.status.podIPs.map((p: KObject) => p.ip)
      : [pod.status.podIP];
    const ports: KObject[] = [];
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port !== undefined) ports.push(endpointPort(sp, port));
    }
    if (servicePorts.length > 0 && ports.length === 0 && !isHeadless(service)) continue;
    ports.sort(comparePorts);
    for (const ip of ips) {
      const addressType = addressTypeOf(ip);
      const key = groupKey(addressType, ports);
      const g = groups.get(key) ?? { addressType, ports, endpoints: [] };
      groups.set(key, g);
      g.endpoints.push(podEndpoint(pod, service, ip));
    }
  }
  if (groups.size === 0) return [{ addressType: 'IPv4', ports: [], chunks: [[]] }];
  return [...groups.entries()]
    .sort(([a], [b]) => byCodeUnit(a, b))
    .map(([, g]) => {
      g.endpoints.sort((a, b) => compareIps(a.addresses[0], b.addresses[0]));
      const chunks: KObject[][] = [];
      for (let i = 0; i < g.endpoints.length; i += max) chunks.push(g.endpoints.slice(i, i + max));
      return { addressType: g.addressType, ports: g.ports, chunks };
    });
}

export function sliceLabels(service: KObject): Record<string, string> {
  return {
    ...serviceLabels(service),
    [SERVICE_NAME_LABEL]: service.metadata!.name!,
    [MANAGED_BY_LABEL]: CONTROLLER_NAME,
  };
}

/** A new slice for one chunk (the API server completes generateName). */
export function newSlice(service: KObject, group: SliceGroup, endpoints: KObject[]): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata!.name}-`,
      namespace: service.metadata!.namespace,
      labels: sliceLabels(service),
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: service.metadata!.name!,
          uid: service.metadata!.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: group.addressType,
    endpoints,
    ports: group.ports,
  };
}

export interface SlicePlan {
  create: KObject[];
  update: KObject[];
  delete: KObject[];
}

/**
 * Reuses existing slices of the same address type and port set (oldest name first) for the desired
 * chunks, updating only those whose content differs; creates the rest; deletes leftovers.
 */
export function planSlices(service: KObject, groups: SliceGroup[], existing: readonly KObject[]): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const pool = new Map<string, KObject[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))) {
    const key = groupKey(s.addressType, s.ports ?? []);
    pool.set(key, [...(pool.get(key) ?? []), s]);
  }
  const labels = sliceLabels(service);
  for (const g of groups) {
    const reusable = pool.get(groupKey(g.addressType, g.ports)) ?? [];
    for (const chunk of g.chunks) {
      const old = reusable.shift();
      if (!old) {
        plan.create.push(newSlice(service, g, chunk));
        continue;
      }
      const same =
        JSON.stringify(old.endpoints ?? []) === JSON.stringify(chunk) &&
        JSON.stringify(old.metadata?.labels ?? {}) === JSON.stringify(labels);
      if (same) continue;
      const next = structuredClone(old) as KObject;
      next.endpoints = chunk;
      next.metadata!.labels = labels;
      plan.update.push(next);
    }
  }
  for (const left of pool.values()) plan.delete.push(...left);
  return plan;
}
