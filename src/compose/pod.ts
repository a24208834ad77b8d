// A compose service as a pod template: its container, the init containers for depends_on (and
// one-shot dependencies inlined), its volumes, and the pod-level keys (hostname, extra_hosts, dns,
// sysctls, group_add, stop_grace_period, platform).
import type { KObject } from '../api/object.ts';
import { buildContainer } from './container.ts';
import { annotationsOf, type ConvertContext, isDnsLabel, splitLabels } from './context.ts';
import { type Dependency, inlineContainer, waitContainer } from './depends-on.ts';
import { networkLabels, networksOf } from './network-policy.ts';
import { isMap } from './normalize.ts';
import { podVolumes } from './pod-volumes.ts';
import type { PortMapping } from './ports.ts';
import type { ComposeService, Json, JsonMap } from './types.ts';
import { ceilSeconds, durationSeconds } from './units.ts';

/** Upstream's limits on dnsConfig. */
const MAX_NAMESERVERS = 3;
const HOST_GATEWAY = 'host-gateway';

export interface PodParts {
  template: KObject;
  /** Named volumes mounted (their claims must exist before the pod). */
  claims: string[];
}

export type PortsOf = (svc: ComposeService) => PortMapping[];

interface Inner {
  initContainers: KObject[];
  container: KObject;
  volumes: KObject[];
  claims: string[];
}

/** Container, init containers and volumes of a service (recursing into inlined dependencies). */
function inner(ctx: ConvertContext, svc: ComposeService, portsOf: PortsOf, chain: string[]): Inner {
  const container = buildContainer(ctx, svc, portsOf(svc));
  const vols = podVolumes(ctx, svc);
  if (vols.mounts.length) container.volumeMounts = vols.mounts;
  const out: Inner = { initContainers: [], container, volumes: [...vols.volumes], claims: [...vols.claims] };
  const addInit = (c: KObject) => {
    if (!out.initContainers.some((x) => x.name === c.name)) out.initContainers.push(c);
  };
  for (const [depName, dep] of svc.dependsOn) {
    const depSvc = ctx.service(depName);
    const warn = (key: string, msg: string) => ctx.warn(svc.name, `depends_on.${depName}${key}`, msg);
    if (isMap(svc.raw.depends_on ?? null)) {
      const spec = (svc.raw.depends_on as JsonMap)[depName];
      if (isMap(spec ?? null) && (spec as JsonMap).restart !== undefined) {
        warn('.restart', 'dependents are not restarted with their dependency');
      }
    }
    if (!dep.required) continue;
    if (dep.condition === 'service_completed_successfully' || ctx.inlined.has(depName)) {
      if (chain.includes(depName)) continue;
      const sub = inner(ctx, depSvc, portsOf, [...chain, svc.name]);
      sub.initContainers.forEach(addInit);
      addInit(inlineContainer(depSvc, sub.container));
      for (const v of sub.volumes) if (!out.volumes.some((x) => x.name === v.name)) out.volumes.push(v);
      for (const c of sub.claims) if (!out.claims.includes(c)) out.claims.push(c);
      continue;
    }
    if (dep.condition === 'service_healthy' && !hasHealthcheck(depSvc)) {
      warn('', `${depName} has no healthcheck: waiting until it accepts connections`);
    }
    const d: Dependency = { service: depSvc, ports: portsOf(depSvc) };
    addInit(waitContainer(ctx, d));
  }
  return out;
}

function hasHealthcheck(svc: ComposeService): boolean {
  const hc = svc.raw.healthcheck;
  return isMap(hc ?? null) && (hc as JsonMap).test !== undefined && (hc as JsonMap).disable !== true;
}

export function buildPod(ctx: ConvertContext, svc: ComposeService, portsOf: PortsOf): PodParts {
  const raw = svc.raw;
  const warn = (key: string, msg: string) => ctx.warn(svc.name, key, msg);
  const { initContainers, container, volumes, claims } = inner(ctx, svc, portsOf, []);
  const spec: KObject = { containers: [container] };
  if (initContainers.length) spec.initContainers = initContainers;
  if (volumes.length) spec.volumes = volumes;

  if (typeof raw.hostname === 'string' && raw.hostname) {
    if (isDnsLabel(raw.hostname)) spec.hostname = raw.hostname;
    else warn('hostname', `${raw.hostname} is not a DNS label: not set`);
  }
  const aliases = hostAliases(raw.extra_hosts, (msg) => warn('extra_hosts', msg));
  if (aliases.length) spec.hostAliases = aliases;
  const dns = dnsConfig(raw, warn);
  if (dns) spec.dnsConfig = dns;

  const podSecurity: KObject = {};
  if (isMap(raw.sysctls ?? null)) {
    const sysctls = Object.entries(raw.sysctls as JsonMap).map(([name, value]) => ({
      name,
      value: String(value),
    }));
    if (sysctls.length) podSecurity.sysctls = sysctls;
  }
  if (Array.isArray(raw.group_add)) {
    const groups: number[] = [];
    for (const g of raw.group_add) {
      if (/^\d+$/.test(String(g))) groups.push(Number(g));
      else warn('group_add', `group ${g} is a name: only numeric groups can be added`);
    }
    if (groups.length) podSecurity.supplementalGroups = groups;
  }
  if (Object.keys(podSecurity).length) spec.securityContext = podSecurity;

  if (raw.stop_grace_period !== undefined) {
    try {
      spec.terminationGracePeriodSeconds = ceilSeconds(durationSeconds(raw.stop_grace_period));
    } catch {
      warn('stop_grace_period', `invalid duration ${JSON.stringify(raw.stop_grace_period)}: default used`);
    }
  }
  if (typeof raw.platform === 'string') {
    const [os, arch] = raw.platform.split('/');
    spec.nodeSelector = { 'kubernetes.io/os': os, ...(arch ? { 'kubernetes.io/arch': arch } : {}) };
  }

  const { labels, annotations, dropped } = splitLabels(raw.labels);
  for (const k of dropped) warn('labels', `label key ${JSON.stringify(k)} is not a qualified name: dropped`);
  const podAnnotations = { ...annotations, ...annotationsOf(raw.annotations, (m) => warn('annotations', m)) };
  const metadata: KObject = {
    labels: { ...labels, ...ctx.labels(svc.name), ...networkLabels(networksOf(ctx, svc)) },
  };
  if (Object.keys(podAnnotations).length) metadata.annotations = podAnnotations;
  return { template: { metadata, spec }, claims };
}

/** `extra_hosts` (host → ip, or a list of ips) grouped per ip, as hostAliases. */
function hostAliases(value: Json | undefined, warn: (msg: string) => void): KObject[] {
  const byIp = new Map<string, string[]>();
  if (!isMap(value ?? null)) return [];
  for (const [host, ips] of Object.entries(value as JsonMap)) {
    for (const ip0 of Array.isArray(ips) ? ips : [ips]) {
      const ip = String(ip0 ?? '').replace(/^\[|\]$/g, '');
      if (ip === HOST_GATEWAY) {
        warn(`${host}: host-gateway has no cluster equivalent: not added`);
        continue;
      }
      byIp.set(ip, [...(byIp.get(ip) ?? []), host]);
    }
  }
  return [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));
}

function dnsConfig(raw: JsonMap, warn: (key: string, msg: string) => void): KObject | undefined {
  const list = (v: Json | undefined): string[] => (Array.isArray(v) ? v.map(String) : []);
  const cfg: KObject = {};
  const servers = list(raw.dns);
  if (servers.length > MAX_NAMESERVERS) warn('dns', `only the first ${MAX_NAMESERVERS} servers are kept`);
  if (servers.length) cfg.nameservers = servers.slice(0, MAX_NAMESERVERS);
  const searches = list(raw.dns_search);
  if (searches.length) cfg.searches = searches;
  const options = list(raw.dns_opt).map((o) => {
    const [name, value] = o.split(/:(.*)/s);
    return value === undefined ? { name } : { name, value };
  });
  if (options.length) cfg.options = options;
  return Object.keys(cfg).length ? cfg : undefined;
}
