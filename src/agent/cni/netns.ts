// Pinned network namespaces (`ip netns add skiff-<id>` → /var/run/netns/skiff-<id>), one per pod
// sandbox: the namespace outlives any process in it, so CNI DEL always has a path to work in.

import { readdir } from 'node:fs/promises';
import { runCommand } from '../runtime/command.ts';

export const NETNS_DIR = '/var/run/netns';
export const NETNS_PREFIX = 'skiff-';

export function netnsName(id: string): string {
  return `${NETNS_PREFIX}${id}`;
}

export function netnsPath(id: string): string {
  return `${NETNS_DIR}/${netnsName(id)}`;
}

export async function listNetns(prefix = NETNS_PREFIX): Promise<string[]> {
  return (await readdir(NETNS_DIR).catch(() => [] as string[])).filter((n) => n.startsWith(prefix));
}

export async function createNetns(id: string): Promise<string> {
  await runCommand('ip', ['netns', 'add', netnsName(id)]);
  return netnsPath(id);
}

/** Idempotent. */
export async function deleteNetns(id: string): Promise<void> {
  if (!(await listNetns(netnsName(id))).includes(netnsName(id))) return;
  await runCommand('ip', ['netns', 'delete', netnsName(id)]);
}
