// The legacy Endpoints object's subsets for a Service (upstream endpoints_controller.go +
// RepackSubsets): each selected pod's address goes under `addresses` when ready (or when the
// Service publishes not-ready addresses) and under `notReadyAddresses` otherwise; addresses with the
// same resolved ports share a subset.
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
  shouldPodBeInEndpoints,
} from './pods.ts';

interface Member {
  address: KObject;
  ready: boolean;
  ports: KObject[];
}

export function endpointSubsets(service: KObject, pods: readonly KObject[]): KObject[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const servicePorts: KObject[] = service.spec?.ports ?? [];
  const members: Member[] = [];
  for (const pod of pods) {
    if (!selects(service, pod) || !shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address: KObject = { ip: pod.status.podIP ?? pod.status.podIPs[0].ip };
    const hostname = podHostname(pod, service);
    if (hostname) address.hostname = hostname;
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    address.targetRef = podReference(pod);
    const ready = publishNotReady || isPodReady(pod);
    if (servicePorts.length === 0) {
      // Only a headless Service without ports lists bare addresses.
      if (isHeadless(service)) members.push({ address, ready, ports: [] });
      continue;
    }
    const ports: KObject[] = [];
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port !== undefined) ports.push(endpointPort(sp, port));
    }
    if (ports.length > 0) members.push({ address, ready, ports: ports.sort(comparePorts) });
  }
  const bySet = new Map<string, { ports: KObject[]; ready: KObject[]; notReady: KObject[] }>();
  for (const m of members) {
    const key = JSON.stringify(m.ports);
    const s = bySet.get(key) ?? { ports: m.ports, ready: [], notReady: [] };
    bySet.set(key, s);
    (m.ready ? s.ready : s.notReady).push(m.address);
  }
  const byIp = (a: KObject, b: KObject) => compareIps(a.ip, b.ip);
  return [...bySet.entries()]
    .sort(([a], [b]) => byCodeUnit(a, b))
    .map(([, s]) => {
      const subset: KObject = {};
      if (s.ready.length) subset.addresses = s.ready.sort(byIp);
      if (s.notReady.length) subset.notReadyAddresses = s.notReady.sort(byIp);
      if (s.ports.length) subset.ports = s.ports;
      return subset;
    });
}
