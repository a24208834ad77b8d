// NetworkPolicy semantics, pure: cluster state in, per-pod allow lists out (no iptables here).
//
//   for every local pod P:
//     ingress-isolated ⇔ some policy in P's namespace selects P and has Ingress in its policyTypes
//     egress-isolated  ⇔ … has Egress
//     allowed traffic  = union over those policies' rules (rules are ORed; within a rule, peers × ports)
//
// policyTypes default as upstream: Ingress always, plus Egress when the policy has egress rules.
// Peers: podSelector alone = pods of the policy's namespace; namespaceSelector alone = every pod of
// the matching namespaces; both = matching pods in matching namespaces; ipBlock = cidr minus except.
// Ports: absent = all; protocol defaults to TCP; endPort makes a range; a named port is looked up
// in the destination pod's container ports (ingress: P itself; egress: each peer pod).
import type { Namespace, Pod } from 'kubernetes-types/core/v1.d.ts';
import type {
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from 'kubernetes-types/networking/v1.d.ts';
import { selectorMatches } from '../api/kinds/label-selector.ts';
import { type Cidr, formatCidr, ipInCidr, parseCidr, subtractCidrs } from './cidr.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortMatch {
  protocol: Protocol;
  /** Absent: every port of the protocol. */
  port?: number;
  /** Inclusive upper bound of a range starting at `port`. */
  endPort?: number;
}

/** Traffic to (egress) or from (ingress) any of `peers` on any of `ports` is allowed. */
export interface Allow {
  /** CIDRs (pods as /32); 'any' for a rule without peers. */
  peers: string[] | 'any';
  /** 'any' for a rule without ports. */
  ports: PortMatch[] | 'any';
}

export interface PodPolicy {
  /** `namespace/name` */
  key: string;
  ip: string;
  /** Undefined: not isolated for that direction (everything allowed). Empty: everything denied. */
  ingress?: Allow[];
  egress?: Allow[];
}

export interface PolicyInput {
  policies: readonly NetworkPolicy[];
  pods: readonly Pod[];
  namespaces: readonly Namespace[];
  /** Pods whose traffic this node enforces (spec.nodeName); all pods when undefined. */
  nodeName?: string;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** Pods that have their own IP on the pod network and are still running. */
export function networkedPods(pods: readonly Pod[]): Pod[] {
  return pods.filter(
    (p) =>
      !!p.status?.podIP &&
      !p.spec?.hostNetwork &&
      !TERMINAL.has(p.status?.phase ?? '') &&
      !!parseCidr(p.status.podIP),
  );
}

export const effectivePolicyTypes = (np: NetworkPolicy): string[] =>
  np.spec?.policyTypes?.length
    ? np.spec.policyTypes
    : np.spec?.egress?.length
      ? ['Ingress', 'Egress']
      : ['Ingress'];

const nsOf = (o: { metadata?: { namespace?: string } }): string => o.metadata?.namespace ?? 'default';
const keyOf = (p: Pod): string => `${nsOf(p)}/${p.metadata?.name ?? ''}`;

interface Context {
  pods: Pod[];
  nsLabels: Map<string, Record<string, string>>;
}

/** Pods a peer selects, or CIDRs for an ipBlock. */
function resolvePeer(
  peer: NetworkPolicyPeer,
  policyNs: string,
  ctx: Context,
): { pods: Pod[] } | { cidrs: Cidr[] } {
  if (peer.ipBlock) {
    const block = parseCidr(peer.ipBlock.cidr);
    if (!block) return { cidrs: [] };
    const excepts = (peer.ipBlock.except ?? []).map(parseCidr).filter((c): c is Cidr => !!c);
    return { cidrs: subtractCidrs(block, excepts) };
  }
  const inNs = (p: Pod): boolean =>
    peer.namespaceSelector
      ? selectorMatches(peer.namespaceSelector, ctx.nsLabels.get(nsOf(p)))
      : nsOf(p) === policyNs;
  const podOk = (p: Pod): boolean =>
    peer.podSelector ? selectorMatches(peer.podSelector, p.metadata?.labels) : true;
  return { pods: ctx.pods.filter((p) => inNs(p) && podOk(p)) };
}

/** A named port of a pod: the first container port with that name. */
function namedPort(pod: Pod, name: string): { port: number; protocol: Protocol } | undefined {
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])])
    for (const p of c.ports ?? [])
      if (p.name === name) return { port: p.containerPort, protocol: (p.protocol ?? 'TCP') as Protocol };
  return undefined;
}

/** The port matches of a rule for one destination pod (undefined pod: named ports match nothing). */
function portsFor(ports: readonly NetworkPolicyPort[], dest: Pod | undefined): PortMatch[] {
  const out: PortMatch[] = [];
  for (const p of ports) {
    const protocol = (p.protocol ?? 'TCP') as Protocol;
    if (p.port === undefined) out.push({ protocol });
    else if (typeof p.port === 'number')
      out.push(
        p.endPort && p.endPort > p.port
          ? { protocol, port: p.port, endPort: p.endPort }
          : { protocol, port: p.port },
      );
    else if (/^\d+$/.test(p.port)) out.push({ protocol, port: Number(p.port) });
    else if (dest) {
      const np = namedPort(dest, p.port);
      // The named port must also be declared with the rule's protocol.
      if (np && np.protocol === protocol) out.push({ protocol, port: np.port });
    }
  }
  return out;
}

const hasNamedPort = (ports: readonly NetworkPolicyPort[]): boolean =>
  ports.some((p) => typeof p.port === 'string' && !/^\d+$/.test(p.port));

function ingressAllows(
  rules: NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>,
  np: NetworkPolicy,
  pod: Pod,
  ctx: Context,
): Allow[] {
  const out: Allow[] = [];
  for (const rule of rules) {
    const ports: PortMatch[] | 'any' = rule.ports?.length ? portsFor(rule.ports, pod) : 'any';
    if (ports !== 'any' && ports.length === 0) continue; // only unresolvable named ports: matches nothing
    if (!rule.from?.length) {
      out.push({ peers: 'any', ports });
      continue;
    }
    const peers: string[] = [];
    for (const peer of rule.from) {
      const r = resolvePeer(peer, nsOf(np), ctx);
      if ('cidrs' in r) peers.push(...r.cidrs.map(formatCidr));
      else peers.push(...r.pods.map((p) => `${p.status!.podIP}/32`));
    }
    if (peers.length) out.push({ peers: [...new Set(peers)], ports });
  }
  return out;
}

function egressAllows(
  rules: NonNullable<NonNullable<NetworkPolicy['spec']>['egress']>,
  np: NetworkPolicy,
  ctx: Context,
): Allow[] {
  const out: Allow[] = [];
  for (const rule of rules) {
    const ports = rule.ports ?? [];
    const named = hasNamedPort(ports);
    const targets: ({ pods: Pod[] } | { cidrs: Cidr[] })[] = [];
    if (!rule.to?.length) {
      if (!named) {
        out.push({ peers: 'any', ports: ports.length ? portsFor(ports, undefined) : 'any' });
        continue;
      }
      // Any destination, but a named port only means something on pods that declare it.
      out.push(...perPod(ctx.pods, ports));
      const numeric = portsFor(ports, undefined);
      if (numeric.length) out.push({ peers: 'any', ports: numeric });
      continue;
    }
    for (const peer of rule.to) targets.push(resolvePeer(peer, nsOf(np), ctx));
    for (const t of targets) {
      if ('pods' in t) {
        if (named) out.push(...perPod(t.pods, ports));
        else if (t.pods.length)
          out.push({
            peers: t.pods.map((p) => `${p.status!.podIP}/32`),
            ports: ports.length ? portsFor(ports, undefined) : 'any',
          });
      } else {
        if (t.cidrs.length === 0) continue;
        if (named) {
          // Named ports inside an ipBlock: resolvable only on pods whose IP falls in the block.
          out.push(
            ...perPod(
              ctx.pods.filter((p) => t.cidrs.some((c) => ipInCidr(p.status!.podIP!, c))),
              ports,
            ),
          );
          const numeric = portsFor(ports, undefined);
          if (numeric.length) out.push({ peers: t.cidrs.map(formatCidr), ports: numeric });
        } else
          out.push({
            peers: t.cidrs.map(formatCidr),
            ports: ports.length ? portsFor(ports, undefined) : 'any',
          });
      }
    }
  }
  return out.filter((a) => a.ports === 'any' || a.ports.length > 0);
}

function perPod(pods: readonly Pod[], ports: readonly NetworkPolicyPort[]): Allow[] {
  const out: Allow[] = [];
  for (const p of pods) {
    const resolved = portsFor(ports, p);
    if (resolved.length) out.push({ peers: [`${p.status!.podIP}/32`], ports: resolved });
  }
  return out;
}

/** Per local pod, what its policies allow; pods no policy selects are left out (not isolated). */
export function computePodPolicies(input: PolicyInput): PodPolicy[] {
  const pods = networkedPods(input.pods);
  const ctx: Context = {
    pods,
    nsLabels: new Map(input.namespaces.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}])),
  };
  const local = input.nodeName === undefined ? pods : pods.filter((p) => p.spec?.nodeName === input.nodeName);
  const out: PodPolicy[] = [];
  for (const pod of local) {
    let ingress: Allow[] | undefined;
    let egress: Allow[] | undefined;
    for (const np of input.policies) {
      if (nsOf(np) !== nsOf(pod) || !selectorMatches(np.spec?.podSelector ?? {}, pod.metadata?.labels))
        continue;
      const types = effectivePolicyTypes(np);
      if (types.includes('Ingress'))
        ingress = [...(ingress ?? []), ...ingressAllows(np.spec?.ingress ?? [], np, pod, ctx)];
      if (types.includes('Egress'))
        egress = [...(egress ?? []), ...egressAllows(np.spec?.egress ?? [], np, ctx)];
    }
    if (ingress || egress)
      out.push({
        key: keyOf(pod),
        ip: pod.status!.podIP!,
        ...(ingress ? { ingress } : {}),
        ...(egress ? { egress } : {}),
      });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function portMatches(m: PortMatch, protocol: Protocol, port: number): boolean {
  if (m.protocol !== protocol) return false;
  if (m.port === undefined) return true;
  return m.endPort === undefined ? port === m.port : port >= m.port && port <= m.endPort;
}

function allowsAny(allows: readonly Allow[], peerIp: string, protocol: Protocol, port: number): boolean {
  return allows.some(
    (a) =>
      (a.peers === 'any' || a.peers.some((c) => ipInCidr(peerIp, parseCidr(c)!))) &&
      (a.ports === 'any' || a.ports.some((m) => portMatches(m, protocol, port))),
  );
}

/** Whether the model lets a new connection through (what the rendered rules enforce); for tests and tools. */
export function connectionAllowed(
  model: readonly PodPolicy[],
  c: { src: string; dst: string; protocol?: Protocol; port: number },
): boolean {
  const protocol = c.protocol ?? 'TCP';
  const src = model.find((p) => p.ip === c.src);
  const dst = model.find((p) => p.ip === c.dst);
  if (src?.egress && !allowsAny(src.egress, c.dst, protocol, c.port)) return false;
  if (dst?.ingress && !allowsAny(dst.ingress, c.src, protocol, c.port)) return false;
  return true;
}
