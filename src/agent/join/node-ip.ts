// A joined node's InternalIP (kubelet's --node-ip default, done the way k3s picks it): the source
// address the kernel would use toward the API server. The first interface address is not good
// enough once the node's own pod bridge exists, since the bridge may be listed first.
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { firstIPv4 } from '../agent.ts';
import { runCommand } from '../runtime/command.ts';

/** `ip -4 route get <dst>` output: `<dst> via <gw> dev <if> src <addr> uid 0`. */
export function parseRouteSource(out: string): string | undefined {
  const m = /\bsrc (\d+\.\d+\.\d+\.\d+)\b/.exec(out);
  return m?.[1];
}

/** The source address toward `serverHost` (an IP or a name); the first IPv4 when there is no route. */
export async function nodeIpToward(serverHost: string): Promise<string> {
  const host = serverHost.replace(/^\[|\]$/g, '');
  const dst = isIPv4(host)
    ? host
    : await lookup(host, { family: 4 }).then(
        (a) => a.address,
        () => undefined,
      );
  if (!dst) return firstIPv4();
  const r = await runCommand('ip', ['-4', 'route', 'get', dst], { allowFailure: true });
  const src = r.code === 0 ? parseRouteSource(r.stdout) : undefined;
  // Toward a loopback server the source is 127.0.0.1, which other nodes cannot reach.
  return src && !src.startsWith('127.') ? src : firstIPv4();
}
