// A small cluster shared by the DNS tests and the benchmark.
import type { Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { ClusterIndex } from './cluster-index.ts';

export const HEADLESS_BIG_ENDPOINTS = 60;
/** dns-packet does not compress names: 15 A records (~700 bytes) exceed 512 but fit EDNS0's 1232. */
export const HEADLESS_MID_ENDPOINTS = 15;

const svc = (name: string, spec: Service['spec'], ns = 'testns'): Service => ({
  metadata: { name, namespace: ns },
  spec,
});
const slice = (
  svcName: string,
  endpoints: EndpointSlice['endpoints'],
  ports: EndpointSlice['ports'],
  ns = 'testns',
): EndpointSlice => ({
  metadata: { name: `${svcName}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4',
  endpoints,
  ports,
});

export const services: Service[] = [
  svc('web', {
    clusterIP: '10.43.0.10',
    ports: [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ],
  }),
  svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }),
  svc('cold', { clusterIP: 'None', ports: [{ port: 80 }] }),
  svc('ext', { type: 'ExternalName', externalName: 'external.example.com' }),
  svc('big', { clusterIP: 'None', ports: [{ port: 80 }] }),
  svc('mid', { clusterIP: 'None', ports: [{ port: 80 }] }),
];

export const endpointSlices: EndpointSlice[] = [
  slice(
    'db',
    [
      { addresses: ['10.42.0.5'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.42.0.6'], conditions: { ready: true } },
      { addresses: ['10.42.0.7'], hostname: 'db-2', conditions: { ready: false } },
    ],
    [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  ),
  slice(
    'cold',
    [{ addresses: ['10.42.0.9'], conditions: { ready: false } }],
    [{ port: 80, protocol: 'TCP' }],
  ),
  slice(
    'big',
    Array.from({ length: HEADLESS_BIG_ENDPOINTS }, (_, i) => ({
      addresses: [`10.42.1.${i + 1}`],
      conditions: { ready: true },
    })),
    [{ port: 80, protocol: 'TCP' }],
  ),
  slice(
    'mid',
    Array.from({ length: HEADLESS_MID_ENDPOINTS }, (_, i) => ({
      addresses: [`10.42.2.${i + 1}`],
      conditions: { ready: true },
    })),
    [{ port: 80, protocol: 'TCP' }],
  ),
];

export const pods: Pod[] = [
  {
    metadata: { name: 'p1', namespace: 'testns' },
    spec: { containers: [] },
    status: { podIP: '10.42.0.20' },
  },
  {
    metadata: { name: 'h1', namespace: 'testns' },
    spec: { containers: [], hostNetwork: true },
    status: { podIP: '192.168.1.10' },
  },
];

export function fixtureIndex(): ClusterIndex {
  const index = new ClusterIndex();
  index.replaceAll({ services, endpointSlices, pods });
  return index;
}
