// The pure rule renderer: cluster state in, one `iptables-restore --noflush` input out, laid out
// the way kube-proxy's iptables mode does it (chains renamed SKIFF-*). Each Service renders to a
// cached fragment; a sync re-renders only Services whose inputs changed and, in a partial render,
// leaves untouched services' chains out of the input entirely (--noflush keeps them as they are).
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { byCodeUnit as compareKeys } from '../util/code-unit-order.ts';
import {
  EXTERNAL_SERVICES_CHAIN,
  endpointChain,
  externalChain,
  FILTER_BASE_CHAINS,
  FIREWALL_CHAIN,
  FORWARD_CHAIN,
  isPerServiceChain,
  localServiceChain,
  MARK_MASQ_CHAIN,
  NAT_BASE_CHAINS,
  NODEPORTS_CHAIN,
  POSTROUTING_CHAIN,
  SERVICES_CHAIN,
  serviceChain,
} from './chains.ts';
import {
  categorizeEndpoints,
  externallyAccessible,
  indexSlices,
  type ServicePortInfo,
  serviceKey,
  servicePorts,
} from './service-ports.ts';

/** kube-proxy's default masquerade bit (--iptables-masquerade-bit=14). */
export const DEFAULT_MASQUERADE_BIT = 14;
const LOCALHOST = '127.0.0.1';
const LOCALNET = '127.0.0.0/8';

export interface RenderOptions {
  /** Masquerade every service connection, not only off-cluster ones (kube-proxy --masquerade-all). */
  masqueradeAll?: boolean;
  /** Accept NodePort connections on 127.0.0.1 (needs route_localnet=1). Default true. */
  localhostNodePorts?: boolean;
  /** Bit of the packet mark meaning "masquerade me". Default 14 (0x4000). */
  masqueradeBit?: number;
}

export interface NodeConfig {
  nodeName: string;
  /** Addresses NodePorts answer on (127.0.0.1 is added when localhostNodePorts). */
  nodeIPs: readonly string[];
  /** Pod CIDR of the whole cluster: traffic from outside it to a ClusterIP is masqueraded. '' = unknown. */
  clusterCIDR: string;
  options?: RenderOptions;
}

export interface RenderInput extends NodeConfig {
  services: readonly Service[];
  endpointSlices: readonly EndpointSlice[];
}

/** What a UDP service port needs for conntrack cleanup (see conntrack.ts). */
export interface UdpTarget {
  clusterIP: string;
  port: number;
  nodePort: number;
  externalIPs: readonly string[];
  endpointIPs: readonly string[];
}

export interface Ruleset {
  /** iptables-restore input for the filter and nat tables. */
  text: string;
  /** Every per-service nat chain this ruleset needs (next render's base for deletions). */
  natChains: ReadonlySet<string>;
  /** UDP service ports by `name` (for conntrack cleanup). */
  udp: ReadonlyMap<string, UdpTarget>;
  stats: { services: number; servicePorts: number; endpoints: number; rerendered: number; partial: boolean };
}

interface Fragment {
  svc: Service;
  slices: readonly EndpointSlice[] | undefined;
  /** Normalized inputs; serialized lazily, only when a changed object must be compared. */
  ports: ServicePortInfo[];
  fingerprint: string | undefined;
  chains: string[];
  /** `-A` lines for this service's own chains. */
  chainRules: string;
  natServices: string;
  natNodePorts: string;
  filterServices: string;
  filterExternal: string;
  udp: [string, UdpTarget][];
  endpoints: number;
  portCount: number;
}

const fingerprint = (f: Fragment): string => {
  f.fingerprint ??= JSON.stringify(f.ports);
  return f.fingerprint;
};

interface Ctx {
  clusterCIDR: string;
  masqueradeAll: boolean;
  markMasq: string;
}

const q = (s: string): string => `"${s}"`;
const protoMatch = (p: string): string => `-m ${p} -p ${p}`;
/** Go's %0.10f of 1/n, as kube-proxy writes statistic probabilities. */
const probability = (n: number): string => (1 / n).toFixed(10);

function renderServicePort(sp: ServicePortInfo, ctx: Ctx, out: Fragment): void {
  const { cluster, local, reachable, hasAny } = categorizeEndpoints(sp);
  const name = sp.name;
  const proto = sp.protocol;
  const pm = protoMatch(proto);
  const svcChain = serviceChain(name, proto);
  const svlChain = localServiceChain(name, proto);
  const extChain = externalChain(name, proto);
  const hasEndpoints = hasAny;
  const usesCluster = cluster.length > 0;
  const usesLocal = local.length > 0;
  const internalChain = sp.internalLocal ? svlChain : svcChain;
  const externalPolicyChain = sp.externalLocal ? svlChain : svcChain;
  const hasInternal = sp.internalLocal ? usesLocal : usesCluster;
  const hasExternal = sp.externalLocal ? usesLocal : usesCluster;
  const usesExt = hasEndpoints && externallyAccessible(sp);
  out.portCount++;
  out.endpoints += sp.endpoints.length;

  // No endpoints at all: REJECT so clients fail fast; endpoints elsewhere but none here: DROP.
  const filterTarget = hasEndpoints ? 'DROP' : 'REJECT';
  const filterComment = q(hasEndpoints ? `${name} has no local endpoints` : `${name} has no endpoints`);
  const vip = `${pm} -d ${sp.clusterIP}/32 --dport ${sp.port}`;

  let rules = '';
  if (usesCluster) out.chains.push(svcChain);
  if (usesLocal) out.chains.push(svlChain);
  if (usesExt) out.chains.push(extChain);

  if (hasInternal) {
    const c = `-m comment --comment ${q(`${name} cluster IP`)} ${vip}`;
    if (ctx.masqueradeAll) rules += `-A ${internalChain} ${c} -j ${MARK_MASQ_CHAIN}\n`;
    else if (ctx.clusterCIDR)
      rules += `-A ${internalChain} ${c} ! -s ${ctx.clusterCIDR} -j ${MARK_MASQ_CHAIN}\n`;
    out.natServices += `-A ${SERVICES_CHAIN} ${c} -j ${internalChain}\n`;
  } else {
    out.filterServices += `-A ${SERVICES_CHAIN} -m comment --comment ${filterComment} ${vip} -j ${filterTarget}\n`;
  }

  const externalDests: [string, string][] = [
    ...sp.externalIPs.map((ip): [string, string] => [ip, 'external IP']),
    ...sp.loadBalancerIPs.map((ip): [string, string] => [ip, 'loadbalancer IP']),
  ];
  for (const [ip, what] of externalDests) {
    const m = `${pm} -d ${ip}/32 --dport ${sp.port}`;
    if (usesExt)
      out.natServices += `-A ${SERVICES_CHAIN} -m comment --comment ${q(`${name} ${what}`)} ${m} -j ${extChain}\n`;
    if (!hasExternal)
      out.filterExternal += `-A ${EXTERNAL_SERVICES_CHAIN} -m comment --comment ${filterComment} ${m} -j ${filterTarget}\n`;
  }
  if (sp.nodePort !== 0) {
    if (usesExt)
      out.natNodePorts += `-A ${NODEPORTS_CHAIN} -m comment --comment ${q(name)} ${pm} --dport ${sp.nodePort} -j ${extChain}\n`;
    if (!hasExternal)
      out.filterExternal += `-A ${EXTERNAL_SERVICES_CHAIN} -m comment --comment ${filterComment} -m addrtype --dst-type LOCAL ${pm} --dport ${sp.nodePort} -j ${filterTarget}\n`;
  }

  if (usesExt) {
    if (!sp.externalLocal) {
      // Cluster policy may send the packet to another node: masquerade so replies come back here.
      rules += `-A ${extChain} -m comment --comment ${q(`masquerade traffic for ${name} external destinations`)} -j ${MARK_MASQ_CHAIN}\n`;
    } else {
      // Pods and the node itself reach external destinations as if via a load balancer: any endpoint.
      if (ctx.clusterCIDR)
        rules += `-A ${extChain} -m comment --comment ${q(`pod traffic for ${name} external destinations`)} -s ${ctx.clusterCIDR} -j ${svcChain}\n`;
      rules += `-A ${extChain} -m comment --comment ${q(`masquerade LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${MARK_MASQ_CHAIN}\n`;
      rules += `-A ${extChain} -m comment --comment ${q(`route LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${svcChain}\n`;
    }
    if (hasExternal) rules += `-A ${extChain} -j ${externalPolicyChain}\n`;
  }

  const sepNames = new Map<string, string>();
  for (const ep of reachable) sepNames.set(ep.endpoint, endpointChain(name, proto, ep.endpoint));
  const lbRules = (chain: string, eps: typeof cluster): string => {
    let r = '';
    if (sp.affinitySeconds > 0)
      for (const ep of eps) {
        const sep = sepNames.get(ep.endpoint)!;
        r += `-A ${chain} -m comment --comment ${q(`${name} -> ${ep.endpoint}`)} -m recent --name ${sep} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sep}\n`;
      }
    eps.forEach((ep, i) => {
      const stat =
        i < eps.length - 1 ? ` -m statistic --mode random --probability ${probability(eps.length - i)}` : '';
      r += `-A ${chain} -m comment --comment ${q(`${name} -> ${ep.endpoint}`)}${stat} -j ${sepNames.get(ep.endpoint)}\n`;
    });
    return r;
  };
  if (usesCluster) rules += lbRules(svcChain, cluster);
  if (usesLocal) rules += lbRules(svlChain, local);

  for (const ep of reachable) {
    const sep = sepNames.get(ep.endpoint)!;
    out.chains.push(sep);
    // Hairpin: a pod reaching itself through the VIP must be masqueraded or it answers itself directly.
    rules += `-A ${sep} -m comment --comment ${q(name)} -s ${ep.ip}/32 -j ${MARK_MASQ_CHAIN}\n`;
    const recent = sp.affinitySeconds > 0 ? ` -m recent --name ${sep} --set` : '';
    rules += `-A ${sep} -m comment --comment ${q(name)}${recent} ${pm} -j DNAT --to-destination ${ep.endpoint}\n`;
  }
  out.chainRules += rules;

  if (sp.protocol === 'udp')
    out.udp.push([
      name,
      {
        clusterIP: sp.clusterIP,
        port: sp.port,
        nodePort: sp.nodePort,
        externalIPs: [...sp.externalIPs, ...sp.loadBalancerIPs],
        endpointIPs: reachable.map((e) => e.ip),
      },
    ]);
}

function renderService(
  svc: Service,
  slices: readonly EndpointSlice[] | undefined,
  nodeName: string,
  ctx: Ctx,
): Fragment {
  const ports = servicePorts(svc, slices ?? [], nodeName);
  const frag: Fragment = {
    svc,
    slices,
    ports,
    fingerprint: undefined,
    chains: [],
    chainRules: '',
    natServices: '',
    natNodePorts: '',
    filterServices: '',
    filterExternal: '',
    udp: [],
    endpoints: 0,
    portCount: 0,
  };
  for (const sp of ports) renderServicePort(sp, ctx, frag);
  return frag;
}

const sameSlices = (
  a: readonly EndpointSlice[] | undefined,
  b: readonly EndpointSlice[] | undefined,
): boolean => a === b || (!!a && !!b && a.length === b.length && a.every((s, i) => s === b[i]));

const configKey = (c: NodeConfig): string =>
  JSON.stringify([c.nodeName, c.nodeIPs, c.clusterCIDR, c.options ?? {}]);

/**
 * Keeps one rendered fragment per Service between renders. A fragment is reused when the Service
 * and its slices are the very same objects as last time (informer caches replace objects on change),
 * or when its normalized inputs serialize identically.
 */
export class RuleRenderer {
  #cache = new Map<string, Fragment>();
  #config = '';

  /**
   * Renders the whole state. `previous` names the per-service chains that may exist in the kernel
   * (those no longer needed are deleted); with `partial`, chains of services unchanged since the
   * last render are left out (their jumps are always rewritten).
   */
  render(
    input: RenderInput,
    opts: { previous?: Pick<Ruleset, 'natChains'>; partial?: boolean } = {},
  ): Ruleset {
    const cfg = configKey(input);
    if (cfg !== this.#config) {
      this.#cache.clear();
      this.#config = cfg;
    }
    const options = input.options ?? {};
    const mark = `0x${(1 << (options.masqueradeBit ?? DEFAULT_MASQUERADE_BIT)).toString(16)}`;
    const ctx: Ctx = {
      clusterCIDR: input.clusterCIDR,
      masqueradeAll: !!options.masqueradeAll,
      markMasq: mark,
    };
    const partial = !!opts.partial && !!opts.previous;

    const byService = indexSlices(input.endpointSlices);
    const keyed = input.services.map((svc): [string, Service] => [
      serviceKey(svc.metadata?.namespace ?? 'default', svc.metadata?.name ?? ''),
      svc,
    ]);
    keyed.sort((a, b) => compareKeys(a[0], b[0]));
    const next = new Map<string, Fragment>();
    const changed = new Set<Fragment>();
    for (const [key, svc] of keyed) {
      const slices = byService.get(key);
      const old = this.#cache.get(key);
      let frag: Fragment;
      if (old && old.svc === svc && sameSlices(old.slices, slices)) frag = old;
      else {
        const fresh = renderService(svc, slices, input.nodeName, ctx);
        if (old && fingerprint(old) === fingerprint(fresh)) {
          old.svc = svc;
          old.slices = slices;
          frag = old;
        } else {
          frag = fresh;
          changed.add(frag);
        }
      }
      next.set(key, frag);
    }
    this.#cache = next;
    return assemble(input, ctx, next, partial ? changed : undefined, opts.previous, changed.size);
  }

  /** Forgets every fragment, so the next render treats all services as changed. */
  reset(): void {
    this.#cache.clear();
  }
}

function assemble(
  input: RenderInput,
  ctx: Ctx,
  frags: Map<string, Fragment>,
  changed: Set<Fragment> | undefined,
  previous: Pick<Ruleset, 'natChains'> | undefined,
  rerendered: number,
): Ruleset {
  const options = input.options ?? {};
  const localhost = options.localhostNodePorts ?? true;
  const chains = new Set<string>();
  const udp = new Map<string, UdpTarget>();
  let natChainDecls = '';
  let natChainRules = '';
  let natServices = '';
  let natNodePorts = '';
  let filterServices = '';
  let filterExternal = '';
  let servicePorts = 0;
  let endpoints = 0;
  for (const f of frags.values()) {
    for (const c of f.chains) chains.add(c);
    for (const [k, v] of f.udp) udp.set(k, v);
    servicePorts += f.portCount;
    endpoints += f.endpoints;
    natServices += f.natServices;
    natNodePorts += f.natNodePorts;
    filterServices += f.filterServices;
    filterExternal += f.filterExternal;
    if (!changed || changed.has(f)) {
      for (const c of f.chains) natChainDecls += `:${c} - [0:0]\n`;
      natChainRules += f.chainRules;
    }
  }
  // Chains a previous sync created that nothing needs now: flush (declare) then delete.
  const stale = previous ? [...previous.natChains].filter((c) => !chains.has(c) && isPerServiceChain(c)) : [];
  stale.sort();

  const mark = ctx.markMasq;
  let text = '*filter\n';
  for (const c of FILTER_BASE_CHAINS) text += `:${c} - [0:0]\n`;
  text += `-A ${FORWARD_CHAIN} -m conntrack --ctstate INVALID -j DROP\n`;
  text += `-A ${FORWARD_CHAIN} -m comment --comment "skiff forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT\n`;
  text += `-A ${FORWARD_CHAIN} -m comment --comment "skiff forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n`;
  if (localhost)
    // route_localnet lets 127.0.0.1 be routed; refuse packets claiming a localhost destination from outside.
    text += `-A ${FIREWALL_CHAIN} -m comment --comment "block incoming localnet connections" -d ${LOCALNET} ! -s ${LOCALNET} -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP\n`;
  text += filterServices + filterExternal;
  text += 'COMMIT\n*nat\n';
  for (const c of NAT_BASE_CHAINS) text += `:${c} - [0:0]\n`;
  text += natChainDecls;
  for (const c of stale) text += `:${c} - [0:0]\n`;
  text += `-A ${POSTROUTING_CHAIN} -m mark ! --mark ${mark}/${mark} -j RETURN\n`;
  // Clear the bit so a re-traversal (e.g. through a bridge) does not masquerade twice.
  text += `-A ${POSTROUTING_CHAIN} -j MARK --xor-mark ${mark}\n`;
  text += `-A ${POSTROUTING_CHAIN} -m comment --comment "skiff service traffic requiring SNAT" -j MASQUERADE --random-fully\n`;
  text += `-A ${MARK_MASQ_CHAIN} -j MARK --or-mark ${mark}\n`;
  text += natServices;
  const nodePortIPs = [...new Set([...input.nodeIPs, ...(localhost ? [LOCALHOST] : [])])];
  for (const ip of nodePortIPs)
    text += `-A ${SERVICES_CHAIN} -m comment --comment "skiff service nodeports; NOTE: this must be the last rule in this chain" -d ${ip}/32 -j ${NODEPORTS_CHAIN}\n`;
  text += natNodePorts;
  text += natChainRules;
  for (const c of stale) text += `-X ${c}\n`;
  text += 'COMMIT\n';
  return {
    text,
    natChains: chains,
    udp,
    stats: { services: frags.size, servicePorts, endpoints, rerendered, partial: !!changed },
  };
}

/** One-shot render with no cache (tests, tools). */
export const renderRuleset = (input: RenderInput): Ruleset => new RuleRenderer().render(input);
