// How pods reach cluster DNS: the `kube-system/kube-dns` Service on the well-known IP (what every
// pod's resolv.conf names) and, since no pod backs it, an EndpointSlice we own pointing at the node
// address the DNS server listens on. The proxy then DNATs 10.43.0.10:53 to that address like any
// other Service. The Service has no selector, so the EndpointSlice controller leaves it alone, and
// the slice's managed-by label is not the controller's, so the controller never deletes it.
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { findKind } from '../api/kinds/index.ts';
import type { KObject } from '../api/object.ts';
import { isNotFound, type RestClient, refOf } from '../client/index.ts';
import { DNS_PORT } from './forwarder.ts';

/** k3s's cluster DNS address (DESIGN.md §7). */
export const CLUSTER_DNS_IP = '10.43.0.10';
export const CLUSTER_DNS_NAMESPACE = 'kube-system';
/** Upstream's name for the Service (CoreDNS keeps it), so tools that look for it find it. */
export const CLUSTER_DNS_SERVICE = 'kube-dns';
export const CLUSTER_DNS_SLICE = 'kube-dns-skiff';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const DNS_MANAGER = 'skiff-dns';
const SERVICE_LABELS = {
  'k8s-app': 'kube-dns',
  'kubernetes.io/cluster-service': 'true',
  'kubernetes.io/name': 'CoreDNS',
};

export interface ClusterDnsObjectsOptions {
  /** The node address the DNS server listens on (the EndpointSlice's endpoint). */
  endpointIP: string;
  /** The port it listens on (default 53). */
  port?: number;
  /** Node running the server: lets internalTrafficPolicy/topology work as for any endpoint. */
  nodeName?: string;
  serviceIP?: string;
}

export function clusterDnsObjects(o: ClusterDnsObjectsOptions): {
  service: Service & KObject;
  endpointSlice: EndpointSlice & KObject;
} {
  const port = o.port ?? DNS_PORT;
  const service: Service & KObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: CLUSTER_DNS_SERVICE, namespace: CLUSTER_DNS_NAMESPACE, labels: { ...SERVICE_LABELS } },
    spec: {
      type: 'ClusterIP',
      clusterIP: o.serviceIP ?? CLUSTER_DNS_IP,
      ports: [
        { name: 'dns', port: DNS_PORT, protocol: 'UDP', targetPort: port },
        { name: 'dns-tcp', port: DNS_PORT, protocol: 'TCP', targetPort: port },
      ],
    },
  };
  const endpointSlice: EndpointSlice & KObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: CLUSTER_DNS_SLICE,
      namespace: CLUSTER_DNS_NAMESPACE,
      labels: { [SERVICE_NAME_LABEL]: CLUSTER_DNS_SERVICE, [MANAGED_BY_LABEL]: DNS_MANAGER },
    },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: [o.endpointIP],
        conditions: { ready: true, serving: true, terminating: false },
        ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      },
    ],
    ports: [
      { name: 'dns', port, protocol: 'UDP' },
      { name: 'dns-tcp', port, protocol: 'TCP' },
    ],
  };
  return { service, endpointSlice };
}

/**
 * Creates the Service and EndpointSlice, or brings existing ones to these specs (the endpoint
 * follows the DNS server when it moves). Idempotent; for the server's start-up.
 */
export async function ensureClusterDnsObjects(
  client: RestClient,
  o: ClusterDnsObjectsOptions,
): Promise<void> {
  const { service, endpointSlice } = clusterDnsObjects(o);
  const services = client.resource<Service & KObject>(
    refOf(findKind('', 'services')!),
    CLUSTER_DNS_NAMESPACE,
  );
  const slices = client.resource<EndpointSlice & KObject>(
    refOf(findKind('discovery.k8s.io', 'endpointslices')!),
    CLUSTER_DNS_NAMESPACE,
  );
  const svc = await services
    .get(CLUSTER_DNS_SERVICE)
    .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  if (!svc) await services.create(service);
  else if (JSON.stringify(svc.spec?.ports) !== JSON.stringify(service.spec?.ports))
    // clusterIP is immutable: only the ports are brought back.
    await services.update({ ...svc, spec: { ...svc.spec, ports: service.spec!.ports } });
  const cur = await slices
    .get(CLUSTER_DNS_SLICE)
    .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  if (!cur) await slices.create(endpointSlice);
  else
    await slices.update({
      ...endpointSlice,
      metadata: { ...endpointSlice.metadata, resourceVersion: cur.metadata?.resourceVersion },
    });
}
