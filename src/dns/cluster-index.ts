// The in-memory view of the cluster that DNS answers from: Services, EndpointSlices and Pods,
// updated object by object as informers deliver them, so no query ever calls the API.
import { isIPv4, isIPv6 } from 'node:net';
import type { Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { dashedIP } from './names.ts';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ServicePortEntry {
  name: string;
  /** Lowercase: `tcp`, `udp`, `sctp`. */
  protocol: string;
  port: number;
}

export interface ServiceEntry {
  namespace: string;
  name: string;
  kind: 'clusterIP' | 'headless' | 'externalName';
  clusterIPs: string[];
  externalName: string;
  ports: ServicePortEntry[];
}

export interface EndpointEntry {
  /** hostname, or the dashed IP when the endpoint has none. */
  label: string;
  ip: string;
  ready: boolean;
  ports: ServicePortEntry[];
}

interface SliceEntry {
  service: string;
  endpoints: EndpointEntry[];
}

const key = (ns: string, name: string): string => `${ns}/${name}`;
const nsOf = (o: { metadata?: { namespace?: string } }): string => o.metadata?.namespace ?? 'default';
const nameOf = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}
function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

export class ClusterIndex {
  readonly #services = new Map<string, ServiceEntry>();
  readonly #slices = new Map<string, SliceEntry>();
  readonly #slicesByService = new Map<string, Set<string>>();
  readonly #pods = new Map<string, { namespace: string; ips: string[] }>();
  readonly #podsByIP = new Map<string, Set<string>>();
  readonly #serviceIPs = new Map<string, Set<string>>();
  readonly #slicesByIP = new Map<string, Set<string>>();
  /** Objects per namespace: a namespace "exists" for DNS while anything lives in it. */
  readonly #namespaces = new Map<string, Set<string>>();
  #explicitNamespaces: Set<string> | undefined;
  /** Until the informers have synced, a miss is SERVFAIL (we may not know yet), not NXDOMAIN. */
  synced: boolean;

  constructor(opts: { synced?: boolean } = {}) {
    this.synced = opts.synced ?? true;
  }

  upsertService(svc: Service): void {
    const ns = nsOf(svc);
    const k = key(ns, nameOf(svc));
    this.removeService(ns, nameOf(svc));
    const spec = svc.spec ?? {};
    const ips = (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []).filter(
      (ip) => isIPv4(ip) || isIPv6(ip),
    );
    const entry: ServiceEntry = {
      namespace: ns,
      name: nameOf(svc),
      kind: spec.type === 'ExternalName' ? 'externalName' : ips.length === 0 ? 'headless' : 'clusterIP',
      clusterIPs: spec.type === 'ExternalName' ? [] : ips,
      externalName: (spec.externalName ?? '').replace(/\.$/, ''),
      ports: (spec.ports ?? []).map((p) => ({
        name: p.name ?? '',
        protocol: (p.protocol ?? 'TCP').toLowerCase(),
        port: p.port,
      })),
    };
    this.#services.set(k, entry);
    for (const ip of entry.clusterIPs) addTo(this.#serviceIPs, ip, k);
    addTo(this.#namespaces, ns, `svc:${k}`);
  }

  removeService(ns: string, name: string): void {
    const k = key(ns, name);
    const old = this.#services.get(k);
    if (!old) return;
    this.#services.delete(k);
    for (const ip of old.clusterIPs) removeFrom(this.#serviceIPs, ip, k);
    removeFrom(this.#namespaces, ns, `svc:${k}`);
  }

  upsertEndpointSlice(slice: EndpointSlice): void {
    const ns = nsOf(slice);
    this.removeEndpointSlice(ns, nameOf(slice));
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc || (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6')) return;
    const ports = (slice.ports ?? []).map((p) => ({
      name: p.name ?? '',
      protocol: (p.protocol ?? 'TCP').toLowerCase(),
      port: p.port ?? 0,
    }));
    const endpoints: EndpointEntry[] = [];
    for (const ep of slice.endpoints ?? [])
      for (const ip of ep.addresses ?? [])
        endpoints.push({
          label: ep.hostname ?? dashedIP(ip),
          ip,
          ready: ep.conditions?.ready ?? true,
          ports,
        });
    const k = key(ns, nameOf(slice));
    const svcKey = key(ns, svc);
    this.#slices.set(k, { service: svcKey, endpoints });
    addTo(this.#slicesByService, svcKey, k);
    for (const ep of endpoints) addTo(this.#slicesByIP, ep.ip, k);
  }

  removeEndpointSlice(ns: string, name: string): void {
    const k = key(ns, name);
    const old = this.#slices.get(k);
    if (!old) return;
    this.#slices.delete(k);
    removeFrom(this.#slicesByService, old.service, k);
    for (const ep of old.endpoints) removeFrom(this.#slicesByIP, ep.ip, k);
  }

  upsertPod(pod: Pod): void {
    const ns = nsOf(pod);
    this.removePod(ns, nameOf(pod));
    const k = key(ns, nameOf(pod));
    const ips = [...new Set([...(pod.status?.podIPs ?? []).map((p) => p.ip), pod.status?.podIP])].filter(
      (ip): ip is string => !!ip,
    );
    // Host-network pods share the node's IP: they get no pod record of their own (as CoreDNS).
    const hostNetwork = !!pod.spec?.hostNetwork;
    this.#pods.set(k, { namespace: ns, ips: hostNetwork ? [] : ips });
    if (!hostNetwork) for (const ip of ips) addTo(this.#podsByIP, ip, k);
    addTo(this.#namespaces, ns, `pod:${k}`);
  }

  removePod(ns: string, name: string): void {
    const k = key(ns, name);
    const old = this.#pods.get(k);
    if (!old) return;
    this.#pods.delete(k);
    for (const ip of old.ips) removeFrom(this.#podsByIP, ip, k);
    removeFrom(this.#namespaces, ns, `pod:${k}`);
  }

  /** Replaces everything at once (an informer's initial list). */
  replaceAll(state: {
    services?: readonly Service[];
    endpointSlices?: readonly EndpointSlice[];
    pods?: readonly Pod[];
  }): void {
    if (state.services) {
      for (const s of [...this.#services.values()]) this.removeService(s.namespace, s.name);
      for (const s of state.services) this.upsertService(s);
    }
    if (state.endpointSlices) {
      for (const k of [...this.#slices.keys()]) {
        const [ns, name] = k.split('/');
        this.removeEndpointSlice(ns, name);
      }
      for (const s of state.endpointSlices) this.upsertEndpointSlice(s);
    }
    if (state.pods) {
      for (const k of [...this.#pods.keys()]) {
        const [ns, name] = k.split('/');
        this.removePod(ns, name);
      }
      for (const p of state.pods) this.upsertPod(p);
    }
  }

  /** Namespaces known from Namespace objects; without it, a namespace exists while it holds a Service or Pod. */
  setNamespaces(names: Iterable<string> | undefined): void {
    this.#explicitNamespaces = names ? new Set(names) : undefined;
  }

  hasNamespace(ns: string): boolean {
    return this.#explicitNamespaces ? this.#explicitNamespaces.has(ns) : this.#namespaces.has(ns);
  }

  service(ns: string, name: string): ServiceEntry | undefined {
    return this.#services.get(key(ns, name));
  }

  /** Every endpoint of the Service, across its slices (ready or not; callers filter). */
  endpoints(ns: string, name: string): EndpointEntry[] {
    const out: EndpointEntry[] = [];
    for (const sk of this.#slicesByService.get(key(ns, name)) ?? [])
      out.push(...this.#slices.get(sk)!.endpoints);
    return out;
  }

  servicesWithIP(ip: string): ServiceEntry[] {
    return [...(this.#serviceIPs.get(ip) ?? [])].map((k) => this.#services.get(k)!);
  }

  /** Ready endpoints of headless Services holding `ip`, with their service. */
  headlessEndpointsWithIP(ip: string): { service: ServiceEntry; endpoint: EndpointEntry }[] {
    const out: { service: ServiceEntry; endpoint: EndpointEntry }[] = [];
    for (const sk of this.#slicesByIP.get(ip) ?? []) {
      const slice = this.#slices.get(sk)!;
      const svc = this.#services.get(slice.service);
      if (svc?.kind !== 'headless') continue;
      for (const ep of slice.endpoints)
        if (ep.ip === ip && ep.ready) out.push({ service: svc, endpoint: ep });
    }
    return out;
  }

  /** Namespaces of (non-host-network) pods with this IP. */
  podNamespacesWithIP(ip: string): string[] {
    return [...new Set([...(this.#podsByIP.get(ip) ?? [])].map((k) => this.#pods.get(k)!.namespace))];
  }
}
