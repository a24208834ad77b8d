// Masquerading of pod traffic leaving the cluster, in a chain skiff owns (flannel's rule shape):
//
//   nat POSTROUTING ─► SKIFF-PODMASQ-<hash>:  -s podCIDR -d clusterCIDR  RETURN   (pod ↔ pod keeps its source)
//                                             -s podCIDR -d 224.0.0.0/4   RETURN   (multicast is link-local)
//                                             -s podCIDR                  MASQUERADE --random-fully
//
// The bridge plugin's own `ipMasq` makes one `CNI-<hash>` chain per pod, named after nothing of ours
// and left behind when the agent dies between ADD and DEL; one chain per network, rewritten
// atomically and removed by name, leaves nothing. The chain is keyed by the network name so test
// networks on one host never share (or delete) each other's chain.
import { createHash } from 'node:crypto';
import { type CommandResult, runCommand } from '../runtime/command.ts';

export const POD_MASQ_CHAIN_PREFIX = 'SKIFF-PODMASQ-';
/** 8 hex characters keep the chain name well inside iptables' 28-character limit. */
const CHAIN_HASH_CHARS = 8;
const MULTICAST = '224.0.0.0/4';
/** Seconds to wait for the xtables lock. */
const LOCK_WAIT_SECONDS = 5;

/** Runs iptables-save/iptables-restore; a prefix such as `ip netns exec X` can point it elsewhere. */
export type IptablesRunner = (argv: string[], input?: string) => Promise<CommandResult>;

export const hostIptables: IptablesRunner = (argv, input) =>
  runCommand(argv[0], argv.slice(1), { input, allowFailure: true });

export interface PodMasqueradeOptions {
  networkName: string;
  /** This node's pod CIDR (the bridge's subnet). */
  podCidr: string;
  /** Every node's pods: traffic to these addresses keeps its source (host-gw routes it). */
  clusterCidr: string;
}

export const podMasqChain = (networkName: string): string =>
  POD_MASQ_CHAIN_PREFIX +
  createHash('sha256').update(networkName).digest('hex').slice(0, CHAIN_HASH_CHARS).toUpperCase();

const jumpComment = (networkName: string): string => `skiff pod masquerade ${networkName}`;

/** The chain's rules as an iptables-restore (--noflush) input; declaring the chain flushes it first. */
export function podMasqueradeRules(o: PodMasqueradeOptions, withJump: boolean): string {
  const c = podMasqChain(o.networkName);
  const lines = ['*nat', `:${c} - [0:0]`];
  if (withJump) lines.push(`-A POSTROUTING -m comment --comment "${jumpComment(o.networkName)}" -j ${c}`);
  lines.push(
    `-A ${c} -s ${o.podCidr} -d ${o.clusterCidr} -j RETURN`,
    `-A ${c} -s ${o.podCidr} -d ${MULTICAST} -j RETURN`,
    `-A ${c} -s ${o.podCidr} -j MASQUERADE --random-fully`,
    'COMMIT',
    '',
  );
  return lines.join('\n');
}

async function natRules(run: IptablesRunner): Promise<string[]> {
  const r = await run(['iptables-save', '-t', 'nat']);
  if (r.code !== 0) throw new Error(`iptables-save -t nat failed: ${r.stderr.trim()}`);
  return r.stdout.split('\n');
}

async function restore(run: IptablesRunner, text: string): Promise<void> {
  const r = await run(['iptables-restore', `--wait=${LOCK_WAIT_SECONDS}`, '--noflush'], text);
  if (r.code !== 0) throw new Error(`iptables-restore failed: ${r.stderr.trim()}`);
}

/** Creates or rewrites the network's masquerade chain and its jump; idempotent. */
export async function ensurePodMasquerade(
  o: PodMasqueradeOptions,
  run: IptablesRunner = hostIptables,
): Promise<void> {
  const c = podMasqChain(o.networkName);
  const hasJump = (await natRules(run)).some((l) => l.startsWith('-A POSTROUTING ') && l.endsWith(`-j ${c}`));
  await restore(run, podMasqueradeRules(o, !hasJump));
}

/** Removes the network's chain and every jump into it; idempotent. */
export async function removePodMasquerade(
  networkName: string,
  run: IptablesRunner = hostIptables,
): Promise<void> {
  const c = podMasqChain(networkName);
  const lines = await natRules(run);
  if (!lines.some((l) => l.startsWith(`:${c} `))) return;
  const jumps = lines.filter(
    (l) => l.startsWith('-A ') && !l.startsWith(`-A ${c} `) && l.endsWith(`-j ${c}`),
  );
  // iptables-save output is valid restore input, so each "-A" line becomes the exact "-D" line.
  const text = ['*nat', ...jumps.map((l) => `-D${l.slice(2)}`), `-F ${c}`, `-X ${c}`, 'COMMIT', ''].join(
    '\n',
  );
  await restore(run, text);
}

/** Whether the network's chain exists (leak checks). */
export async function podMasqueradePresent(
  networkName: string,
  run: IptablesRunner = hostIptables,
): Promise<boolean> {
  const c = podMasqChain(networkName);
  return (await natRules(run)).some((l) => l.startsWith(`:${c} `) || l.endsWith(`-j ${c}`));
}
