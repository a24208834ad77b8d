// Leak detection for runtime/CNI tests: everything a test file created on the host is named after
// one scope (state/run dirs, cgroup root, network, bridge, netns prefix), so after the file we can
// assert that none of it is left, without being confused by other tests running at the same time.

import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { removeNetworkHostState } from '../../src/agent/cni/network-cleanup.ts';
import { podMasqChain } from '../../src/agent/cni/pod-masquerade.ts';
import { existingCgroups } from '../../src/agent/runtime/cgroups.ts';
import { runCommand } from '../../src/agent/runtime/command.ts';
import { removeRuntimeHostState } from '../../src/agent/runtime/host-cleanup.ts';
import { mountsUnder } from '../../src/agent/runtime/overlay.ts';

export interface RuntimeScope {
  /** `t` + 6 hex: short enough for interface names. */
  tag: string;
  stateDir: string;
  runDir: string;
  /** `/skiff-<tag>` */
  cgroupRoot: string;
  /** `skiff-<tag>` (CNI network name and bridge). */
  network: string;
  bridge: string;
  /** Sandbox IDs start with this, so namespaces are `skiff-<tag>-…`. */
  idPrefix: string;
  /** net.ipv4.conf.all.route_localnet when the scope began (the proxy sets it for NodePorts). */
  routeLocalnet: string | undefined;
}

const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';
const readRouteLocalnet = (): string | undefined => {
  try {
    return readFileSync(ROUTE_LOCALNET, 'utf8').trim();
  } catch {
    return undefined;
  }
};

export function newRuntimeScope(): RuntimeScope {
  const tag = `t${randomBytes(3).toString('hex')}`;
  return {
    tag,
    stateDir: `/tmp/skiff-${tag}`,
    runDir: `/run/skiff-${tag}`,
    cgroupRoot: `/skiff-${tag}`,
    network: `skiff-${tag}`,
    bridge: `skiff-${tag}`,
    idPrefix: `${tag}-`,
    routeLocalnet: readRouteLocalnet(),
  };
}

/** Processes whose cgroup lies under our root, or whose command line names our directories. */
async function scopedProcesses(scope: RuntimeScope): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const [cmdline, cgroup] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => ''),
    ]);
    const cmd = cmdline.replaceAll('\0', ' ').trim();
    if (cmd === '') continue; // kernel thread or zombie
    const inCgroup = cgroup.split('\n').some((l) => l.split(':')[2]?.startsWith(`${scope.cgroupRoot}/`));
    const named = cmd.includes(scope.stateDir) || cmd.includes(scope.runDir);
    if (inCgroup || named) out.push(`process ${pid}: ${cmd.slice(0, 120)}`);
  }
  return out;
}

/** Host objects of this scope still present: an empty list means the test cleaned up. */
export async function findLeaks(
  scope: RuntimeScope,
  opts: { serviceChains?: boolean } = {},
): Promise<string[]> {
  const leaks: string[] = [];
  const netns = await runCommand('ip', ['netns', 'list'], { allowFailure: true });
  for (const line of netns.stdout.split('\n')) {
    const name = line.split(' ')[0];
    if (name?.startsWith(`skiff-${scope.idPrefix}`)) leaks.push(`netns ${name}`);
  }
  for (const m of [...(await mountsUnder(scope.stateDir)), ...(await mountsUnder(scope.runDir))]) {
    leaks.push(`mount ${m}`);
  }
  for (const c of await existingCgroups(scope.cgroupRoot)) leaks.push(`cgroup ${c}`);
  const link = await runCommand('ip', ['link', 'show', 'dev', scope.bridge], { allowFailure: true });
  if (link.code === 0) leaks.push(`bridge ${scope.bridge}`);
  const nat = await runCommand('iptables-save', ['-t', 'nat'], { allowFailure: true });
  for (const line of nat.stdout.split('\n')) {
    if (line.includes(`name: \\"${scope.network}\\"`)) leaks.push(`iptables ${line}`);
    if (line.startsWith(`:${podMasqChain(scope.network)} `)) leaks.push(`iptables chain ${line}`);
  }
  // The proxy's and the enforcer's chains are host-wide (kube-proxy's names): only a test that ran
  // them and removed them asks.
  if (opts.serviceChains) {
    for (const table of ['nat', 'filter']) {
      const saved = await runCommand('iptables-save', ['-t', table], { allowFailure: true });
      for (const line of saved.stdout.split('\n'))
        if (/^:SKIFF-(?!PODMASQ-)/.test(line)) leaks.push(`iptables ${table} chain ${line.split(' ')[0]}`);
    }
  }
  leaks.push(...(await scopedProcesses(scope)));
  return leaks;
}

/** Runs one clean-up step, recording its failure instead of throwing: a failed test must still leave the host clean. */
export async function attempt(errors: string[], what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    errors.push(`${what}: ${String(err)}`);
  }
}

/**
 * The end of a test file that ran containers in `scope`: the runtime clean-up (conmon and runc's
 * containers killed, mounts and cgroups removed — containers outlive the agent by design), the
 * network clean-up (netns, bridge, CNI and masquerade rules), with `serviceChains` the proxy's and
 * the policy enforcer's host-wide chains too, then what is still left. Failed steps go to `errors`.
 */
export async function cleanUpScope(
  scope: RuntimeScope,
  errors: string[],
  opts: { removeState?: boolean; serviceChains?: boolean } = {},
): Promise<{ busy: string[]; leaks: string[] }> {
  let busy: string[] = [];
  await attempt(errors, 'runtime cleanup', async () => {
    busy = await removeRuntimeHostState({
      stateDir: scope.stateDir,
      runDir: scope.runDir,
      cgroupRoot: scope.cgroupRoot,
      ...(opts.removeState ? { removeState: true } : {}),
    });
  });
  await attempt(errors, 'network cleanup', () =>
    removeNetworkHostState({
      networkName: scope.network,
      bridge: scope.bridge,
      netnsPrefix: `skiff-${scope.idPrefix}`,
    }),
  );
  if (opts.serviceChains)
    await attempt(errors, 'proxy and policy rules', async () => {
      const { removeNodeNetworkRules } = await import('../../src/cmd/network.ts');
      await removeNodeNetworkRules();
      // The host as found: a server stopped by signal never ran the proxy's own restore.
      if (scope.routeLocalnet !== undefined && readRouteLocalnet() !== scope.routeLocalnet)
        writeFileSync(ROUTE_LOCALNET, `${scope.routeLocalnet}\n`);
    });
  const leaks = await findLeaks(scope, { serviceChains: opts.serviceChains });
  return { busy, leaks };
}
