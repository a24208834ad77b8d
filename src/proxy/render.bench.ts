// Micro benchmark (not a test): full and incremental renders of 10,000 services.
// Run: node_modules/.bin/node src/proxy/render.bench.ts
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { RuleRenderer } from './render.ts';

const SERVICES = 10_000;
const ENDPOINTS_PER_SERVICE = 3;
const CHANGED = 100;

const ip = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const services: Service[] = [];
const slices: EndpointSlice[] = [];
for (let i = 0; i < SERVICES; i++) {
  const name = `svc-${i}`;
  services.push({
    metadata: { name, namespace: `ns-${i % 50}` },
    spec: {
      type: i % 10 === 0 ? 'NodePort' : 'ClusterIP',
      clusterIP: ip((43 << 16) + i),
      ports: [
        {
          name: 'http',
          port: 80,
          protocol: 'TCP',
          ...(i % 10 === 0 ? { nodePort: 30000 + (i % 2768) } : {}),
        },
      ],
    },
  });
  slices.push({
    metadata: {
      name: `${name}-x`,
      namespace: `ns-${i % 50}`,
      labels: { 'kubernetes.io/service-name': name },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: Array.from({ length: ENDPOINTS_PER_SERVICE }, (_, k) => ({
      addresses: [ip((42 << 16) + i * ENDPOINTS_PER_SERVICE + k)],
      conditions: { ready: true },
    })),
  });
}
const node = { nodeName: 'n1', nodeIPs: ['192.168.0.2'], clusterCIDR: '10.42.0.0/16' };

const time = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
};

const renderer = new RuleRenderer();
const [full, coldMs] = time(() => renderer.render({ ...node, services, endpointSlices: slices }));
// A second cold render with a fresh cache: the steady-state cost of a full resync.
const [, cold2Ms] = time(() => new RuleRenderer().render({ ...node, services, endpointSlices: slices }));
const [, warmMs] = time(() =>
  renderer.render({ ...node, services, endpointSlices: slices }, { previous: full, partial: true }),
);
const changedSlices = slices.map((s, i) =>
  i % (SERVICES / CHANGED) === 0 ? { ...s, endpoints: s.endpoints.slice(0, 2) } : s,
);
const [partial, partialMs] = time(() =>
  renderer.render({ ...node, services, endpointSlices: changedSlices }, { previous: full, partial: true }),
);

console.table([
  {
    case: `cold full render (${SERVICES} services)`,
    ms: coldMs.toFixed(1),
    bytes: full.text.length,
    rerendered: full.stats.rerendered,
  },
  {
    case: 'full render, fresh cache, JIT warm',
    ms: cold2Ms.toFixed(1),
    bytes: full.text.length,
    rerendered: SERVICES,
  },
  { case: 'warm render, nothing changed', ms: warmMs.toFixed(1), bytes: '-', rerendered: 0 },
  {
    case: `partial render, ${CHANGED} services changed`,
    ms: partialMs.toFixed(1),
    bytes: partial.text.length,
    rerendered: partial.stats.rerendered,
  },
]);
