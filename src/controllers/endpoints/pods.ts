// How a Service sees its pods, shared by the Endpoints and EndpointSlice controllers (upstream
// pkg/api/v1/endpoints, pkg/controller/util/endpoint): which pods belong in its endpoints, whether
// each is ready, which port a service port resolves to on a pod, and the DNS hostname it gets.
import type { KObject } from '../../api/object.ts';
import { byCodeUnit } from '../../util/code-unit-order.ts';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
const CLUSTER_IP_NONE = 'None';

export const isPodReady = (pod: KObject): boolean =>
  (pod.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True');

const isTerminal = (pod: KObject): boolean => {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
};

/** A pod with an IP that has not finished; terminating ones only when asked (upstream ShouldPodBeInEndpoints). */
export function shouldPodBeInEndpoints(pod: KObject, includeTerminating: boolean): boolean {
  if (isTerminal(pod)) return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length > 0)) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** The Service's selector picks this pod (a Service without a selector manages no endpoints). */
export function selects(service: KObject, pod: KObject): boolean {
  const sel: Record<string, string> | undefined = service.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

export const hasSelector = (service: KObject): boolean =>
  !!service.spec?.selector && Object.keys(service.spec.selector).length > 0;

export const isHeadless = (service: KObject): boolean => service.spec?.clusterIP === CLUSTER_IP_NONE;

/**
 * The pod's port for a service port: a numeric targetPort as is, a named one looked up among the
 * pod's container ports (same protocol); undefined when the pod has no such port.
 */
export function findPort(pod: KObject, servicePort: KObject): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** A StatefulSet-style pod (hostname + subdomain naming this Service) gets a DNS hostname. */
export function podHostname(pod: KObject, service: KObject): string | undefined {
  const hostname = pod.spec?.hostname;
  if (!hostname) return undefined;
  if (pod.spec?.subdomain !== service.metadata?.name) return undefined;
  if (pod.metadata?.namespace !== service.metadata?.namespace) return undefined;
  return hostname;
}

export const podReference = (pod: KObject): KObject => ({
  kind: 'Pod',
  namespace: pod.metadata?.namespace,
  name: pod.metadata?.name,
  uid: pod.metadata?.uid,
});

/** An endpoint port as both APIs write it (name only when the service port has one). */
export function endpointPort(servicePort: KObject, port: number): KObject {
  const out: KObject = {};
  if (servicePort.name) out.name = servicePort.name;
  out.port = port;
  out.protocol = servicePort.protocol ?? 'TCP';
  if (servicePort.appProtocol) out.appProtocol = servicePort.appProtocol;
  return out;
}

export const comparePorts = (a: KObject, b: KObject): number =>
  byCodeUnit(a.name ?? '', b.name ?? '') ||
  a.port - b.port ||
  byCodeUnit(String(a.protocol), String(b.protocol));

/** Compares dotted IPv4 (and IPv6, textually) addresses in numeric order where possible. */
export function compareIps(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
    return 0;
  }
  return byCodeUnit(a, b);
}

/** The labels endpoints objects carry: the Service's, plus the headless marker. */
export function serviceLabels(service: KObject): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata?.labels ?? {}) };
  if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
  return labels;
}
