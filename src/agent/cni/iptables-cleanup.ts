// Finds and removes the iptables state the CNI plugins created for one network (for
// `skiff uninstall` and tests). The plugins tag their rules with a comment
// `name: "<network>" id: "<container>"`:
//   bridge ipMasq: POSTROUTING -s <pod ip> … -j CNI-<hash>, chain CNI-<hash> (ACCEPT/MASQUERADE)
//   portmap:       CNI-HOSTPORT-DNAT … -j CNI-DN-<hash>, chain CNI-DN-<hash> (DNAT)
// The shared CNI-HOSTPORT-* chains (and their jumps from PREROUTING/OUTPUT/POSTROUTING) are
// removed too once no portmap chain of any network is left in them.
//
// planIptablesCleanup is pure: iptables-save text in, an iptables-restore --noflush script out.

import { runCommand } from '../runtime/command.ts';

const SHARED_PREFIX = 'CNI-HOSTPORT-';
const PORTMAP_CHAIN_PREFIX = 'CNI-DN-';

interface SavedRule {
  chain: string;
  text: string;
  target?: string;
}

function parseSave(save: string): { chains: string[]; rules: SavedRule[] } {
  const chains: string[] = [];
  const rules: SavedRule[] = [];
  for (const line of save.split('\n')) {
    if (line.startsWith(':')) chains.push(line.slice(1).split(' ')[0]);
    else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1];
      const target = / -[jg] (\S+)/.exec(line)?.[1];
      rules.push({ chain, text: line.slice(3), ...(target ? { target } : {}) });
    }
  }
  return { chains, rules };
}

/** An iptables-restore script (nat table) removing `network`'s rules and chains, or undefined. */
export function planIptablesCleanup(save: string, network: string): string | undefined {
  const { chains, rules } = parseSave(save);
  const marker = `name: \\"${network}\\" id: \\"`;
  const isOwnChain = (c: string | undefined) => !!c && c.startsWith('CNI-') && !c.startsWith(SHARED_PREFIX);
  const ownChains = new Set<string>();
  for (const r of rules) {
    if (!r.text.includes(marker)) continue;
    if (isOwnChain(r.chain)) ownChains.add(r.chain);
    if (isOwnChain(r.target)) ownChains.add(r.target!);
  }
  const drop = rules.filter(
    (r) =>
      !ownChains.has(r.chain) &&
      (r.text.includes(marker) || (r.target !== undefined && ownChains.has(r.target))),
  );
  const removeChains = [...ownChains].filter((c) => chains.includes(c));
  const otherPortmaps = chains.filter((c) => c.startsWith(PORTMAP_CHAIN_PREFIX) && !ownChains.has(c));
  const shared = chains.filter((c) => c.startsWith(SHARED_PREFIX));
  if (shared.length && otherPortmaps.length === 0) {
    for (const r of rules) {
      if (!shared.includes(r.chain) && r.target && shared.includes(r.target) && !drop.includes(r))
        drop.push(r);
    }
    removeChains.push(...shared);
  }
  if (drop.length === 0 && removeChains.length === 0) return undefined;
  const lines = ['*nat', ...drop.map((r) => `-D ${r.text}`)];
  for (const c of removeChains) lines.push(`-F ${c}`);
  for (const c of removeChains) lines.push(`-X ${c}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** Applies the plan to the host; returns the script that ran (undefined when nothing matched). */
export async function removeNetworkIptables(network: string): Promise<string | undefined> {
  const { stdout } = await runCommand('iptables-save', ['-t', 'nat']);
  const plan = planIptablesCleanup(stdout, network);
  if (plan) await runCommand('iptables-restore', ['--noflush'], { input: plan });
  return plan;
}

/** CNI chains (nat table) tagged with `network`'s name, for leak checks. */
export async function networkChains(network: string): Promise<string[]> {
  const { stdout } = await runCommand('iptables-save', ['-t', 'nat']);
  const { rules } = parseSave(stdout);
  const marker = `name: \\"${network}\\" id: \\"`;
  const out = new Set<string>();
  for (const r of rules) {
    if (!r.text.includes(marker)) continue;
    if (r.chain.startsWith('CNI-')) out.add(r.chain);
    if (r.target?.startsWith('CNI-')) out.add(r.target);
  }
  return [...out];
}
