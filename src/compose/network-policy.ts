// Compose networks as NetworkPolicies: a service's pods carry one label per network it joins, and
// one policy per network admits traffic from pods carrying the same label. Policies add up, so a
// pod on networks a and b accepts peers on a or b, and nothing else in the namespace. Published
// ports are open to every source (they are meant to be reached from outside).
import type { KObject } from '../api/object.ts';
import { ComposeConvertError, type ConvertContext } from './context.ts';
import { networkLabel, toDnsLabel } from './names.ts';
import { isMap } from './normalize.ts';
import type { PortMapping } from './ports.ts';
import type { ComposeService, JsonMap } from './types.ts';
import { MAPPED_NETWORK_KEYS } from './unsupported.ts';

export const DEFAULT_NETWORK = 'default';
/** Per-service network keys that are addresses or interface tuning, which pods do not choose. */
const NETWORK_ATTACHMENT_MAPPED = new Set(['aliases']);
/** Drivers whose semantics (one L3 segment where every member reaches every other) policies model. */
const BRIDGE_DRIVERS = new Set(['bridge', 'overlay']);

/** The compose networks a service joins (`default` when it names none). */
export function networksOf(ctx: ConvertContext, svc: ComposeService): string[] {
  const raw = svc.raw;
  if (typeof raw.network_mode === 'string' && raw.network_mode !== 'bridge') {
    ctx.warn(
      svc.name,
      'network_mode',
      `network_mode ${raw.network_mode} is not supported: the pod joins the default network`,
    );
  }
  const nets = isMap(raw.networks ?? null) ? (raw.networks as JsonMap) : {};
  const names = Object.keys(nets);
  for (const n of names) {
    if (n !== DEFAULT_NETWORK && !(n in ctx.project.networks)) {
      throw new ComposeConvertError(`service ${svc.name} refers to undefined network ${n}`);
    }
    const cfg = nets[n];
    if (isMap(cfg ?? null)) {
      for (const k of Object.keys(cfg as JsonMap)) {
        if (!NETWORK_ATTACHMENT_MAPPED.has(k) && !k.startsWith('x-')) {
          ctx.warn(
            svc.name,
            `networks.${n}.${k}`,
            'pod addresses and interfaces are assigned by the network plugin',
          );
        }
      }
    }
  }
  return names.length ? names : [DEFAULT_NETWORK];
}

/** Pod labels marking network membership. */
export const networkLabels = (networks: string[]): Record<string, string> =>
  Object.fromEntries(networks.map((n) => [networkLabel(n), 'true']));

/** Warnings for top-level network keys with no mapping. */
export function warnNetworkKeys(ctx: ConvertContext): void {
  for (const [name, def] of Object.entries(ctx.project.networks)) {
    for (const [k, v] of Object.entries(def)) {
      if (k.startsWith('x-')) continue;
      if (!MAPPED_NETWORK_KEYS.has(k)) {
        ctx.warn(
          undefined,
          `networks.${name}.${k}`,
          'network options are not configurable: pods share the cluster network',
        );
      } else if (k === 'driver' && !BRIDGE_DRIVERS.has(String(v))) {
        ctx.warn(
          undefined,
          `networks.${name}.driver`,
          `driver ${v} is not supported: treated as a bridge network`,
        );
      }
    }
  }
}

export function networkPolicy(ctx: ConvertContext, network: string): KObject {
  const selector = { matchLabels: { [networkLabel(network)]: 'true' } };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ctx.meta(`network-${toDnsLabel(network)}`),
    spec: {
      podSelector: selector,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: selector }] }],
    },
  };
}

/** Lets any source reach a service's published ports (NodePort and hostPort traffic). */
export function publishedPolicy(ctx: ConvertContext, svc: ComposeService, published: PortMapping[]): KObject {
  const ports: KObject[] = [];
  for (const p of published) {
    if (!ports.some((x) => x.port === p.target && x.protocol === p.protocol)) {
      ports.push({ port: p.target, protocol: p.protocol });
    }
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ctx.meta(`${toDnsLabel(svc.name)}-published`, svc.name),
    spec: {
      podSelector: { matchLabels: ctx.labels(svc.name) },
      policyTypes: ['Ingress'],
      ingress: [{ ports }],
    },
  };
}
