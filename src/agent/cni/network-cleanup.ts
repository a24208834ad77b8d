// Uninstall for pod networking: tear down every pod we still have a result for, remove stray
// `skiff-` namespaces, the network's iptables chains (the CNI plugins' and our masquerade chain),
// the bridge, and our IPAM/result state.

import { rm } from 'node:fs/promises';
import { runCommand } from '../runtime/command.ts';
import { DEFAULT_BRIDGE, DEFAULT_NETWORK_NAME } from './cni-config.ts';
import { removeNetworkIptables } from './iptables-cleanup.ts';
import { NETNS_PREFIX } from './netns.ts';
import { removePodMasquerade } from './pod-masquerade.ts';
import type { PodNetwork } from './pod-network.ts';

export async function bridgeExists(bridge: string): Promise<boolean> {
  const res = await runCommand('ip', ['link', 'show', 'dev', bridge], { allowFailure: true });
  return res.code === 0;
}

export interface NetworkCleanupOptions {
  network?: PodNetwork;
  networkName?: string;
  bridge?: string;
  /** Namespaces named `skiff-<id>` with this id prefix are deleted (default: all `skiff-`). */
  netnsPrefix?: string;
  /** Our CNI state directory (results, IPAM leases), removed last. */
  stateDir?: string;
}

export async function removeNetworkHostState(opts: NetworkCleanupOptions = {}): Promise<void> {
  const name = opts.network?.networkName ?? opts.networkName ?? DEFAULT_NETWORK_NAME;
  const bridge = opts.network?.bridge ?? opts.bridge ?? DEFAULT_BRIDGE;
  for (const pod of (await opts.network?.list()) ?? []) await opts.network?.tearDown(pod.id).catch(() => {});
  const prefix = opts.netnsPrefix ?? NETNS_PREFIX;
  const { stdout } = await runCommand('ip', ['netns', 'list'], { allowFailure: true });
  for (const line of stdout.split('\n')) {
    const ns = line.split(' ')[0];
    if (ns?.startsWith(prefix)) await runCommand('ip', ['netns', 'delete', ns], { allowFailure: true });
  }
  await removeNetworkIptables(name);
  await removePodMasquerade(name);
  if (await bridgeExists(bridge)) await runCommand('ip', ['link', 'delete', bridge, 'type', 'bridge']);
  if (opts.stateDir) await rm(opts.stateDir, { recursive: true, force: true });
}
