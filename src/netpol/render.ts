// Per-pod allow lists → one iptables-restore (--noflush) input for the filter table:
//
//   FORWARD ─(first rule)─► SKIFF-NP-FORWARD
//     RELATED,ESTABLISHED → RETURN                 (replies and flows already admitted)
//     -s <pod> → SKIFF-NP-E-<hash>                 (egress-isolated pods on this node)
//     -d <pod> → SKIFF-NP-I-<hash>                 (ingress-isolated pods on this node)
//   SKIFF-NP-[IE]-<hash>: one RETURN per allowed (peer, port); then DROP
//
// Nothing here ACCEPTs: an allowed packet returns to FORWARD and meets the rest of the host's rules
// (the proxy's, the default policy), so a policy can only ever take traffic away. Pods are matched
// by IP: same-node traffic crosses the bridge and reaches FORWARD through br_netfilter
// (bridge-nf-call-iptables=1), cross-node traffic is routed (host-gw) and reaches it anyway.
import { createHash } from 'node:crypto';
import type { Allow, PodPolicy, PortMatch } from './policy-model.ts';

export const NP_CHAIN_PREFIX = 'SKIFF-NP-';
export const NP_FORWARD_CHAIN = 'SKIFF-NP-FORWARD';
const INGRESS_PREFIX = 'SKIFF-NP-I-';
const EGRESS_PREFIX = 'SKIFF-NP-E-';
/** 12 hex characters: chain names stay at 23 of iptables' 28 characters. */
const HASH_CHARS = 12;

const hash = (key: string): string =>
  createHash('sha256').update(key).digest('hex').slice(0, HASH_CHARS).toUpperCase();
export const ingressChain = (podKey: string): string => INGRESS_PREFIX + hash(podKey);
export const egressChain = (podKey: string): string => EGRESS_PREFIX + hash(podKey);

export interface NetpolRuleset {
  text: string;
  /** Every SKIFF-NP-* chain this ruleset declares (the next render deletes the others). */
  chains: ReadonlySet<string>;
  stats: { pods: number; rules: number };
}

function portArgs(m: PortMatch): string {
  const p = m.protocol.toLowerCase();
  if (m.port === undefined) return `-p ${p}`;
  return `-p ${p} -m ${p} --dport ${m.endPort !== undefined ? `${m.port}:${m.endPort}` : m.port}`;
}

function allowRules(chain: string, allows: readonly Allow[], peerFlag: '-s' | '-d'): string[] {
  const out: string[] = [];
  for (const a of allows) {
    const peers = a.peers === 'any' ? [''] : a.peers.map((c) => `${peerFlag} ${c} `);
    const ports = a.ports === 'any' ? [''] : a.ports.map((m) => `${portArgs(m)} `);
    for (const peer of peers) for (const port of ports) out.push(`-A ${chain} ${peer}${port}-j RETURN`);
  }
  return out;
}

/** `previous`: SKIFF-NP-* chains that may exist now; those not needed any more are deleted. */
export function renderNetpol(model: readonly PodPolicy[], previous: Iterable<string> = []): NetpolRuleset {
  const chains = new Set<string>([NP_FORWARD_CHAIN]);
  const jumps: string[] = [`-A ${NP_FORWARD_CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`];
  const body: string[] = [];
  for (const pod of model) {
    if (pod.egress) {
      const c = egressChain(pod.key);
      chains.add(c);
      jumps.push(`-A ${NP_FORWARD_CHAIN} -s ${pod.ip}/32 -m comment --comment "${pod.key} egress" -j ${c}`);
      body.push(
        ...allowRules(c, pod.egress, '-d'),
        `-A ${c} -m comment --comment "${pod.key} egress not allowed" -j DROP`,
      );
    }
    if (pod.ingress) {
      const c = ingressChain(pod.key);
      chains.add(c);
      jumps.push(`-A ${NP_FORWARD_CHAIN} -d ${pod.ip}/32 -m comment --comment "${pod.key} ingress" -j ${c}`);
      body.push(
        ...allowRules(c, pod.ingress, '-s'),
        `-A ${c} -m comment --comment "${pod.key} ingress not allowed" -j DROP`,
      );
    }
  }
  const stale = [...new Set(previous)].filter((c) => c.startsWith(NP_CHAIN_PREFIX) && !chains.has(c)).sort();
  const lines = ['*filter'];
  // Declaring a chain in --noflush mode flushes it: every chain is rewritten whole, atomically.
  for (const c of [...chains, ...stale]) lines.push(`:${c} - [0:0]`);
  lines.push(...jumps, ...body);
  for (const c of stale) lines.push(`-X ${c}`);
  lines.push('COMMIT', '');
  return { text: lines.join('\n'), chains, stats: { pods: model.length, rules: jumps.length + body.length } };
}
