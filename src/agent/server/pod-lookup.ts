// Finding a pod's sandbox and containers on this node. The agent's pod workers know this best
// (`podLookup` option); without them it is read from the runtime, whose sandboxes carry the pod's
// namespace/name and whose containers carry their Kubernetes names and restart attempts.
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { nodeUtil } from '../../util/node-builtins.ts';
import type { ContainerRuntime, ContainerStatus, SandboxStatus } from '../runtime/types.ts';

export interface PodRef {
  sandboxId: string;
  podUid: string;
  /** The pod IP (port-forward dials it); looked up in the sandbox's netns when absent. */
  podIP?: string;
}

export type PodLookup = (namespace: string, name: string) => Promise<PodRef | undefined>;

/** The newest ready sandbox of the pod (a restarted sandbox replaces the old one). */
export function runtimePodLookup(runtime: ContainerRuntime): PodLookup {
  return async (namespace, name) => {
    const all = (await runtime.listSandboxes()).filter((s) => s.namespace === namespace && s.name === name);
    const pick = newest(all.filter((s) => s.state === 'ready')) ?? newest(all);
    return pick && { sandboxId: pick.id, podUid: pick.podUid };
  };
}

const newest = (xs: SandboxStatus[]): SandboxStatus | undefined =>
  xs.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];

/** The pod's containers named `container`, newest attempt first. */
export async function containerAttempts(
  runtime: ContainerRuntime,
  sandboxId: string,
  container: string,
): Promise<ContainerStatus[]> {
  return (await runtime.listContainers({ sandboxId }))
    .filter((c) => c.name === container)
    .sort((a, b) => b.attempt - a.attempt || b.createdAt.getTime() - a.createdAt.getTime());
}

const run = nodeUtil.promisify(execFile);

/** The IPv4 address of eth0 in the sandbox's network namespace (`/var/run/netns/<name>`). */
export async function podIpFromNetns(
  runtime: ContainerRuntime,
  sandboxId: string,
): Promise<string | undefined> {
  const sb = await runtime.sandboxStatus(sandboxId);
  if (!sb?.netnsPath) return undefined;
  const { stdout } = await run('ip', [
    '-n',
    basename(sb.netnsPath),
    '-4',
    '-o',
    'addr',
    'show',
    'dev',
    'eth0',
  ]);
  return /inet (\d+\.\d+\.\d+\.\d+)/.exec(stdout)?.[1];
}
