// Answers one question from the ClusterIndex the way CoreDNS's kubernetes plugin does: which names
// exist (NOERROR with no data) and which do not (NXDOMAIN), SOA in the authority section of every
// negative answer, and "forward" for names that are not ours.

import { isIPv4 } from 'node:net';
import type { Answer, SoaAnswer } from 'dns-packet';
import type { ClusterIndex, ServiceEntry } from './cluster-index.ts';
import { canonical, reverseToIPv4, undashIPv4 } from './names.ts';

/** CoreDNS's kubernetes plugin answers TTL 5 by default. */
export const DEFAULT_TTL_SECONDS = 5;
/** The schema version CoreDNS publishes at dns-version.<zone>. */
export const DNS_SCHEMA_VERSION = '1.1.0';
/** SOA timers as CoreDNS writes them (refresh, retry, expire). */
const SOA_REFRESH = 7200;
const SOA_RETRY = 1800;
const SOA_EXPIRE = 86400;

export type PodRecordsMode = 'verified' | 'insecure' | 'disabled';

export interface ResolveOptions {
  zone: string;
  ttl: number;
  /** SOA serial: bumps tell secondaries nothing here, but CoreDNS sends one. */
  serial: number;
  pods: PodRecordsMode;
}

export type Resolution =
  | { kind: 'forward' }
  | {
      kind: 'answer';
      rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';
      answers: Answer[];
      authorities: Answer[];
      additionals: Answer[];
    };

/** Records for one existing name (possibly none: NODATA). */
interface NameData {
  records: Answer[];
  extras: Answer[];
}

/** `nxdomain`: the name cannot exist; `miss`: it would exist if the cluster held that object. */
type Lookup = NameData | 'nxdomain' | 'miss';

const SVC = 'svc';
const POD = 'pod';

/** `type` is the question's type name as dns-packet decodes it (`A`, `SRV`, `ANY`, ...). */
export function resolve(index: ClusterIndex, name: string, type: string, opts: ResolveOptions): Resolution {
  const given = name.replace(/\.$/, '');
  const lname = canonical(name);
  const zone = canonical(opts.zone);
  const ttl = opts.ttl;
  if (lname === zone || lname.endsWith(`.${zone}`)) {
    const zoneAsGiven = given.slice(given.length - zone.length);
    const rest = lname === zone ? [] : lname.slice(0, -(zone.length + 1)).split('.');
    const found = lookupZone(index, rest, given, zoneAsGiven, opts);
    return finish(found, type, zoneAsGiven, index.synced, opts);
  }
  const ip = lname.endsWith('.in-addr.arpa') ? reverseToIPv4(lname) : undefined;
  if (ip) {
    const targets = ptrTargets(index, ip, zone, opts);
    // Unknown addresses fall through to the upstream resolvers, as CoreDNS's `fallthrough in-addr.arpa`.
    if (targets.length === 0) return { kind: 'forward' };
    const records: Answer[] = targets.map((t) => ({ type: 'PTR', name: given, ttl, class: 'IN', data: t }));
    return finish({ records, extras: [] }, type, 'in-addr.arpa', true, opts);
  }
  return { kind: 'forward' };
}

function finish(
  found: Lookup,
  type: string,
  zoneName: string,
  synced: boolean,
  opts: ResolveOptions,
): Resolution {
  const soa = soaRecord(zoneName, opts);
  if (found === 'nxdomain' || found === 'miss') {
    // A data-dependent miss before the informers synced may be a name we just do not know yet.
    const rcode = found === 'miss' && !synced ? 'SERVFAIL' : 'NXDOMAIN';
    return { kind: 'answer', rcode, answers: [], authorities: [soa], additionals: [] };
  }
  const answers = found.records.filter((r) => type === 'ANY' || r.type === type || r.type === 'CNAME');
  if (answers.length === 0)
    return { kind: 'answer', rcode: 'NOERROR', answers: [], authorities: [soa], additionals: [] };
  return { kind: 'answer', rcode: 'NOERROR', answers, authorities: [], additionals: found.extras };
}

const addressRecord = (name: string, ip: string, ttl: number): Answer =>
  isIPv4(ip)
    ? { type: 'A', name, ttl, class: 'IN', data: ip }
    : { type: 'AAAA', name, ttl, class: 'IN', data: ip };

const empty = (): NameData => ({ records: [], extras: [] });

function lookupZone(
  index: ClusterIndex,
  rest: string[],
  given: string,
  zone: string,
  opts: ResolveOptions,
): Lookup {
  const ttl = opts.ttl;
  const n = rest.length;
  if (n === 0) {
    return {
      records: [soaRecord(zone, opts), { type: 'NS', name: given, ttl, class: 'IN', data: `ns.dns.${zone}` }],
      extras: [],
    };
  }
  const top = rest[n - 1];
  if (n === 1 && top === 'dns-version')
    return {
      records: [{ type: 'TXT', name: given, ttl, class: 'IN', data: DNS_SCHEMA_VERSION }],
      extras: [],
    };
  if (top === 'dns') return n === 1 || (n === 2 && rest[0] === 'ns') ? empty() : 'nxdomain';
  if (top === SVC) return lookupService(index, rest.slice(0, -1), given, ttl);
  if (top === POD) return lookupPod(index, rest.slice(0, -1), given, opts);
  return 'nxdomain';
}

function soaRecord(zone: string, opts: ResolveOptions): SoaAnswer {
  return {
    type: 'SOA',
    name: zone,
    ttl: opts.ttl,
    class: 'IN',
    data: {
      mname: `ns.dns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: opts.serial,
      refresh: SOA_REFRESH,
      retry: SOA_RETRY,
      expire: SOA_EXPIRE,
      minimum: opts.ttl,
    },
  };
}

/** `labels` are what precedes `svc.<zone>`: [], [ns], [svc, ns], [ep|_proto, svc, ns], [_port, _proto, svc, ns]. */
function lookupService(index: ClusterIndex, labels: string[], given: string, ttl: number): Lookup {
  const n = labels.length;
  if (n === 0) return empty();
  const ns = labels[n - 1];
  if (!index.hasNamespace(ns)) return n <= 3 || labels[0].startsWith('_') ? 'miss' : 'nxdomain';
  if (n === 1) return empty();
  const svc = index.service(ns, labels[n - 2]);
  if (n === 2) {
    if (!svc) return 'miss';
    return serviceAddresses(index, svc, given, ttl);
  }
  if (n === 3) {
    const first = labels[0];
    if (first.startsWith('_')) {
      // `_tcp.<svc>`: exists (empty) for any service that can have ports; never for ExternalName.
      if (!isProtoLabel(first)) return 'nxdomain';
      if (!svc) return 'miss';
      return svc.kind === 'externalName' ? 'nxdomain' : empty();
    }
    if (!svc) return 'miss';
    if (svc.kind !== 'headless') return 'nxdomain';
    const records = index
      .endpoints(ns, svc.name)
      .filter((e) => e.ready && e.label.toLowerCase() === first)
      .map((e) => addressRecord(given, e.ip, ttl));
    return records.length > 0 ? { records, extras: [] } : 'miss';
  }
  if (n === 4) {
    const [portLabel, protoLabel] = labels;
    if (!portLabel.startsWith('_') || !isProtoLabel(protoLabel) || portLabel === '_') return 'nxdomain';
    if (!svc) return 'miss';
    if (svc.kind === 'externalName') return 'nxdomain';
    return srvRecords(index, svc, portLabel.slice(1), protoLabel.slice(1), given, ttl);
  }
  return 'nxdomain';
}

const isProtoLabel = (l: string): boolean => l === '_tcp' || l === '_udp' || l === '_sctp';

function serviceAddresses(index: ClusterIndex, svc: ServiceEntry, given: string, ttl: number): Lookup {
  if (svc.kind === 'externalName')
    return {
      records: [{ type: 'CNAME', name: given, ttl, class: 'IN', data: svc.externalName }],
      extras: [],
    };
  if (svc.kind === 'clusterIP')
    return { records: svc.clusterIPs.map((ip) => addressRecord(given, ip, ttl)), extras: [] };
  const ips = [
    ...new Set(
      index
        .endpoints(svc.namespace, svc.name)
        .filter((e) => e.ready)
        .map((e) => e.ip),
    ),
  ];
  // A headless service with no ready endpoint has no name at all (CoreDNS: NXDOMAIN).
  return ips.length > 0 ? { records: ips.map((ip) => addressRecord(given, ip, ttl)), extras: [] } : 'miss';
}

function srvRecords(
  index: ClusterIndex,
  svc: ServiceEntry,
  portName: string,
  proto: string,
  given: string,
  ttl: number,
): Lookup {
  // SRV targets keep the question's spelling of `<svc>.<ns>.svc.<zone>`.
  const base = given.split('.').slice(2).join('.');
  const records: Answer[] = [];
  const extras: Answer[] = [];
  const push = (port: number, target: string, ip: string[]) => {
    records.push({
      type: 'SRV',
      name: given,
      ttl,
      class: 'IN',
      data: { priority: 0, weight: 0, port, target },
    });
    for (const a of ip) extras.push(addressRecord(target, a, ttl));
  };
  if (svc.kind === 'clusterIP') {
    for (const p of svc.ports)
      if (p.name === portName && p.protocol === proto) push(p.port, base, svc.clusterIPs);
  } else {
    for (const ep of index.endpoints(svc.namespace, svc.name)) {
      if (!ep.ready) continue;
      for (const p of ep.ports)
        if (p.name === portName && p.protocol === proto) push(p.port, `${ep.label}.${base}`, [ep.ip]);
    }
  }
  if (records.length === 0) return 'miss';
  // CoreDNS splits weight 100 evenly among records of equal priority.
  const weight = Math.max(1, Math.floor(100 / records.length));
  for (const r of records) if (r.type === 'SRV') r.data.weight = weight;
  return { records, extras: dedupe(extras) };
}

function dedupe(rrs: Answer[]): Answer[] {
  const seen = new Set<string>();
  return rrs.filter((r) => {
    const k = `${r.type}|${r.name.toLowerCase()}|${JSON.stringify((r as { data?: unknown }).data)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** `labels` precede `pod.<zone>`: [], [ns], [a-b-c-d, ns]. */
function lookupPod(index: ClusterIndex, labels: string[], given: string, opts: ResolveOptions): Lookup {
  if (opts.pods === 'disabled') return labels.length === 0 ? empty() : 'nxdomain';
  const n = labels.length;
  if (n === 0) return empty();
  if (n === 1) return index.hasNamespace(labels[0]) ? empty() : 'miss';
  if (n !== 2) return 'nxdomain';
  const ip = undashIPv4(labels[0]);
  if (!ip) return 'nxdomain';
  if (opts.pods === 'verified' && !index.podNamespacesWithIP(ip).includes(labels[1])) return 'miss';
  return { records: [addressRecord(given, ip, opts.ttl)], extras: [] };
}

function ptrTargets(index: ClusterIndex, ip: string, zone: string, opts: ResolveOptions): string[] {
  const out = index.servicesWithIP(ip).map((s) => `${s.name}.${s.namespace}.svc.${zone}`);
  for (const { service, endpoint } of index.headlessEndpointsWithIP(ip))
    out.push(`${endpoint.label}.${service.name}.${service.namespace}.svc.${zone}`);
  if (out.length === 0 && opts.pods !== 'disabled')
    for (const ns of index.podNamespacesWithIP(ip)) out.push(`${ip.replaceAll('.', '-')}.${ns}.pod.${zone}`);
  return [...new Set(out)];
}
