// Several "machines" on one: each host is a network namespace with one interface (eth0) on a LAN,
// a bridge that lives in its own namespace, so the root namespace gains no interface, route or
// rule. Processes enter a host with `nsenter --net` only — unlike `ip netns exec`, which also
// makes a private mount namespace, hiding the agent's overlay and netns mounts from clean-up.
//
//   root netns: nothing          skiff-<tag>-lan: bridge skiff<tag> ── skiff<tag><h> ─┐ veth
//                                 skiff-<tag>-<h>: eth0 10.210.0.N/24, lo  ◄────────────┘
//
// The registry the hosts pull from: one docker-registry per host on that host's 127.0.0.1 (the
// same port everywhere, all reading one storage dir filled by a push to a root-namespace copy),
// so an image reference `127.0.0.1:PORT/...` means the same image on every host and no test
// traffic leaves loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, runCommand } from '../../src/agent/runtime/command.ts';
import type { OciImage } from './images.ts';
import { freePort, pushImage, REGISTRY_BIN } from './registry.ts';

/** A private range: not the pod (10.42/16) nor the service (10.43/16) CIDR. */
export const LAN_PREFIX = '10.210.0';
export const LAN_MASK = 24;
const NETNS_DIR = '/run/netns';
/** How long a registry gets to answer /v2/ after start. */
const REGISTRY_READY_MS = 15_000;
const KILL_GRACE_MS = 5_000;

export interface Host {
  /** Short name: a, b, c. */
  name: string;
  netns: string;
  ip: string;
}

export interface Lan {
  tag: string;
  netns: string;
  bridge: string;
  hosts: Host[];
}

const ip = (args: string[]) => runCommand('ip', args);

/** Runs a command inside a host (network namespace only). */
export function inHost(
  netns: string,
  argv: string[],
  opts: { allowFailure?: boolean; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return runCommand('nsenter', [`--net=${NETNS_DIR}/${netns}`, ...argv], {
    ...opts,
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
  });
}

/** Spawns a long-running process inside a host; nsenter execs it, so the PID is the process's. */
export function spawnInHost(netns: string, argv: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn('nsenter', [`--net=${NETNS_DIR}/${netns}`, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}

/** Creates the LAN and one host per name, addressed .1, .2, … in order. */
export async function createLan(tag: string, names: string[]): Promise<Lan> {
  const lan: Lan = { tag, netns: `skiff-${tag}-lan`, bridge: `skiff${tag}`, hosts: [] };
  await ip(['netns', 'add', lan.netns]);
  await ip(['-n', lan.netns, 'link', 'add', lan.bridge, 'type', 'bridge']);
  await ip(['-n', lan.netns, 'link', 'set', lan.bridge, 'up']);
  for (const [i, name] of names.entries()) {
    const host: Host = { name, netns: `skiff-${tag}-${name}`, ip: `${LAN_PREFIX}.${i + 1}` };
    const port = `skiff${tag}${name}`;
    await ip(['netns', 'add', host.netns]);
    lan.hosts.push(host);
    await ip([
      '-n',
      host.netns,
      'link',
      'add',
      'eth0',
      'type',
      'veth',
      'peer',
      'name',
      port,
      'netns',
      lan.netns,
    ]);
    await ip(['-n', lan.netns, 'link', 'set', port, 'master', lan.bridge, 'up']);
    await ip(['-n', host.netns, 'addr', 'add', `${host.ip}/${LAN_MASK}`, 'dev', 'eth0']);
    await ip(['-n', host.netns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', host.netns, 'link', 'set', 'lo', 'up']);
  }
  return lan;
}

/** Deletes the hosts and the LAN: their interfaces, routes and iptables rules go with them. */
export async function removeLan(lan: Lan): Promise<void> {
  for (const ns of [...lan.hosts.map((h) => h.netns), lan.netns])
    await runCommand('ip', ['netns', 'delete', ns], { allowFailure: true });
}

/** What of the LAN is left: its namespaces, and any interface of its name in the root namespace. */
export async function lanLeaks(lan: Lan): Promise<string[]> {
  const leaks: string[] = [];
  const list = await runCommand('ip', ['netns', 'list'], { allowFailure: true });
  for (const line of list.stdout.split('\n')) {
    const name = line.split(' ')[0];
    if (name?.startsWith(`skiff-${lan.tag}-`)) leaks.push(`netns ${name}`);
  }
  const links = await runCommand('ip', ['-o', 'link', 'show'], { allowFailure: true });
  for (const line of links.stdout.split('\n')) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (name?.startsWith(lan.bridge)) leaks.push(`link ${name}`);
  }
  return leaks;
}

export interface HostRegistries {
  /** `127.0.0.1:PORT` on every host. */
  host: string;
  pids: number[];
  stop(): Promise<void>;
}

/** Pushes `images` (repo:tag → image) and serves them on 127.0.0.1 of every host in `netnses`. */
export async function startHostRegistries(
  netnses: string[],
  images: Record<string, OciImage>,
): Promise<HostRegistries> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-mn-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}}`,
      `http: {addr: "127.0.0.1:${port}"}`,
    ].join('\n'),
  );
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(killAndWait));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // The root copy only takes the push; it is stopped before the hosts' copies start.
    const pusher = spawn(REGISTRY_BIN, ['serve', config], { stdio: 'ignore' });
    children.push(pusher);
    await waitFor(() => fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok));
    for (const [ref, image] of Object.entries(images)) {
      const [repo, tag] = ref.split(':');
      await pushImage(`http://127.0.0.1:${port}`, repo, tag, image);
    }
    await killAndWait(pusher);
    children.length = 0;
    for (const ns of netnses) {
      const child = spawnInHost(ns, [REGISTRY_BIN, 'serve', config]);
      children.push(child);
      await waitFor(
        async () =>
          (
            await inHost(ns, ['busybox', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${port}/v2/`], {
              allowFailure: true,
            })
          ).code === 0,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { host: `127.0.0.1:${port}`, pids: children.map((c) => c.pid!), stop };
}

async function waitFor(ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + REGISTRY_READY_MS;
  for (;;) {
    if (await ok().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`registry not ready within ${REGISTRY_READY_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
