// The node's pod bridge, created with its gateway address before any pod exists: node-local
// services (the cluster DNS server) listen on the gateway, which every pod reaches through its
// default route and which is never the machine's external address. The CNI bridge plugin later
// finds the bridge and address in place and keeps them.
import { runCommand } from '../runtime/command.ts';
import { gatewayFor, parseIpv4Cidr } from './cni-config.ts';

/** Creates (or completes) `bridge` with the gateway of `podCidr` and brings it up; idempotent. */
export async function ensureNodeBridge(bridge: string, podCidr: string): Promise<string> {
  const gateway = gatewayFor(podCidr);
  const { prefix } = parseIpv4Cidr(podCidr);
  const exists = await runCommand('ip', ['link', 'show', 'dev', bridge], { allowFailure: true });
  if (exists.code !== 0) await runCommand('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  const addrs = await runCommand('ip', ['-4', '-o', 'addr', 'show', 'dev', bridge]);
  if (!addrs.stdout.includes(` ${gateway}/`))
    await runCommand('ip', ['addr', 'add', `${gateway}/${prefix}`, 'dev', bridge]);
  await runCommand('ip', ['link', 'set', 'dev', bridge, 'up']);
  return gateway;
}
