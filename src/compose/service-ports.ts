// A compose service's ports (`ports:` and `expose:`) and the Kubernetes Service that makes it
// reachable by its compose name. Published ports in the NodePort range become NodePorts, a port
// published without a host port gets an allocated NodePort, other published ports are hostPorts
// on the container (container.ts).
import type { KObject } from '../api/object.ts';
import { isNodePort } from './container.ts';
import { ComposeConvertError, type ConvertContext, isDnsLabel } from './context.ts';
import { toServiceName } from './names.ts';
import { type PortMapping, parseExpose, parsePort } from './ports.ts';
import type { ComposeService } from './types.ts';

/** Every port of a service; `published` is set only for `ports:` entries with a host part. */
export function servicePorts(svc: ComposeService): { ports: PortMapping[]; published: PortMapping[] } {
  const ports: PortMapping[] = [];
  const published: PortMapping[] = [];
  const raw = svc.raw;
  try {
    for (const e of Array.isArray(raw.ports) ? raw.ports : []) {
      for (const p of parsePort(e)) {
        ports.push(p);
        published.push(p);
      }
    }
    for (const e of Array.isArray(raw.expose) ? raw.expose : []) ports.push(...parseExpose(e));
  } catch (e) {
    throw new ComposeConvertError(`service ${svc.name}: ${(e as Error).message}`);
  }
  return { ports, published };
}

/**
 * The Service named after the compose service (plus one per network alias). Without ports it is
 * headless, so the name still resolves (to ready pods only).
 */
export function buildServices(
  ctx: ConvertContext,
  svc: ComposeService,
  { ports, published }: { ports: PortMapping[]; published: PortMapping[] },
): KObject[] {
  const warn = (key: string, msg: string) => ctx.warn(svc.name, key, msg);
  const name = toServiceName(svc.name);
  if (name !== svc.name) {
    warn('name', `"${svc.name}" is not a DNS label: peers must reach it as "${name}"`);
  }
  const specPorts: KObject[] = [];
  let nodePort = false;
  for (const p of ports) {
    const same = specPorts.find((x) => x.port === p.target && x.protocol === p.protocol);
    const wantsNodePort =
      p.published === undefined ? undefined : isNodePort(p.published) ? p.published : null;
    if (same) {
      if (wantsNodePort && same.nodePort !== undefined && same.nodePort !== wantsNodePort) {
        warn(
          'ports',
          `port ${p.target} is published twice in the NodePort range: only ${same.nodePort} is kept`,
        );
      } else if (wantsNodePort) same.nodePort = wantsNodePort;
      continue;
    }
    const sp: KObject = {
      name: `${p.protocol.toLowerCase()}-${p.target}`,
      port: p.target,
      targetPort: p.target,
      protocol: p.protocol,
    };
    if (p.appProtocol) sp.appProtocol = p.appProtocol;
    if (wantsNodePort) sp.nodePort = wantsNodePort;
    specPorts.push(sp);
  }
  // A `ports:` entry without a host port asks for an ephemeral one: an allocated NodePort.
  if (published.some((p) => p.published === undefined || isNodePort(p.published))) nodePort = true;
  if (published.some((p) => p.published !== undefined && !isNodePort(p.published))) {
    const replicas = ctx.replicasOf(svc);
    if (replicas > 1) {
      warn('ports', `hostPort with ${replicas} replicas: only one pod per node can bind each host port`);
    }
  }

  const selector = ctx.labels(svc.name);
  const spec: KObject = specPorts.length
    ? { type: nodePort ? 'NodePort' : 'ClusterIP', selector, ports: specPorts }
    : { clusterIP: 'None', selector };
  const out: KObject[] = [{ apiVersion: 'v1', kind: 'Service', metadata: ctx.meta(name, svc.name), spec }];

  // Network aliases: extra names for the same pods (never NodePorts: those are the main Service's).
  const networks = svc.raw.networks;
  const aliases = new Set<string>();
  if (networks && typeof networks === 'object' && !Array.isArray(networks)) {
    for (const [net, cfg] of Object.entries(networks)) {
      if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) continue;
      for (const a of Array.isArray(cfg.aliases) ? cfg.aliases : []) {
        const alias = String(a);
        if (!isDnsLabel(alias) || !/^[a-z]/.test(alias)) {
          warn(`networks.${net}.aliases`, `alias ${alias} is not a DNS-1035 label: not created`);
        } else if (alias !== name) aliases.add(alias);
      }
    }
  }
  for (const alias of aliases) {
    const aliasSpec: KObject = specPorts.length
      ? { type: 'ClusterIP', selector, ports: specPorts.map(({ nodePort: _, ...p }) => p) }
      : { clusterIP: 'None', selector };
    out.push({ apiVersion: 'v1', kind: 'Service', metadata: ctx.meta(alias, svc.name), spec: aliasSpec });
  }
  return out;
}
