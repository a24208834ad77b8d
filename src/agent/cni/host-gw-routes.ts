// Multi-node pod traffic, flannel's host-gw backend: every node routes each other node's pod CIDR
// via that node's InternalIP, so pod-to-pod packets cross nodes with their pod addresses intact
// (the nodes must share an L2 segment). Routes carry their own protocol number, so the set we
// installed is found again after a restart (stale ones removed) without any state file.
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { byCodeUnit } from '../../util/code-unit-order.ts';
import { type CommandResult, runCommand } from '../runtime/command.ts';

/** An unassigned rtnetlink protocol number marking skiff's routes (`ip route show proto 188`). */
export const ROUTE_PROTO = '188';

export interface HostRoute {
  /** Another node's pod CIDR. */
  dst: string;
  /** That node's InternalIP. */
  via: string;
}

export type RouteRunner = (argv: string[]) => Promise<CommandResult>;

export const hostIp: RouteRunner = (argv) => runCommand('ip', argv, { allowFailure: true });

/** Routes this node needs: one per other node that has a pod CIDR and an InternalIP. */
export function desiredRoutes(nodes: readonly Node[], self: string): HostRoute[] {
  const out: HostRoute[] = [];
  for (const n of nodes) {
    if (n.metadata?.name === self) continue;
    const dst = n.spec?.podCIDR;
    const via = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (dst && via && !via.includes(':')) out.push({ dst, via });
  }
  return out.sort((a, b) => byCodeUnit(a.dst, b.dst));
}

/** Our routes now in the main table. */
export async function currentRoutes(run: RouteRunner = hostIp): Promise<HostRoute[]> {
  const r = await run(['-4', 'route', 'show', 'proto', ROUTE_PROTO]);
  if (r.code !== 0) throw new Error(`ip route show failed: ${r.stderr.trim()}`);
  const out: HostRoute[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) via (\S+)/.exec(line.trim());
    if (m) out.push({ dst: m[1], via: m[2] });
  }
  return out;
}

/** Brings our routes to `want`: replaces changed ones, deletes ones no node needs any more. */
export async function syncRoutes(want: readonly HostRoute[], run: RouteRunner = hostIp): Promise<void> {
  const have = await currentRoutes(run);
  const key = (r: HostRoute) => `${r.dst} ${r.via}`;
  const haveKeys = new Set(have.map(key));
  const wantDst = new Set(want.map((r) => r.dst));
  for (const r of want) {
    if (haveKeys.has(key(r))) continue;
    const res = await run(['route', 'replace', r.dst, 'via', r.via, 'proto', ROUTE_PROTO]);
    if (res.code !== 0) throw new Error(`ip route replace ${r.dst} via ${r.via}: ${res.stderr.trim()}`);
  }
  for (const r of have)
    if (!wantDst.has(r.dst)) await run(['route', 'del', r.dst, 'via', r.via, 'proto', ROUTE_PROTO]);
}

/** Removes every route of ours (uninstall, tests). */
export async function removeRoutes(run: RouteRunner = hostIp): Promise<void> {
  await syncRoutes([], run);
}
