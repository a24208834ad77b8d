// Facts about this machine for the Node object: CPUs, memory, disk under the data dir, boot id,
// kernel, OS image and the runc version.
import { execFile } from 'node:child_process';
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { nodeUtil } from '../util/node-builtins.ts';
import type { NodeFacts } from './node-object.ts';

const run = nodeUtil.promisify(execFile);

export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';
const MACHINE_ID_PATH = '/etc/machine-id';
const OS_RELEASE_PATH = '/etc/os-release';
const MEMINFO_PATH = '/proc/meminfo';

const readTrim = async (p: string): Promise<string> => (await readFile(p, 'utf8').catch(() => '')).trim();

/** PRETTY_NAME from os-release, as the kubelet reports osImage. */
export function prettyName(osRelease: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  return m ? (m[1] as string).replace(/^"|"$/g, '') : 'Linux';
}

/** MemAvailable in bytes from /proc/meminfo. */
export function memAvailable(meminfo: string): number | undefined {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : undefined;
}

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
};

export async function runcVersion(): Promise<string> {
  const { stdout } = await run('runc', ['--version']).catch(() => ({ stdout: '' }));
  const m = /runc version (\S+)/.exec(stdout);
  return `runc://${m ? m[1] : 'unknown'}`;
}

export async function gatherNodeFacts(dataDir: string, internalIP: string): Promise<NodeFacts> {
  const fs = await statfs(dataDir);
  const meminfo = await readTrim(MEMINFO_PATH);
  return {
    hostname: os.hostname(),
    internalIP,
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    memoryAvailableBytes: memAvailable(meminfo) ?? os.freemem(),
    diskBytes: fs.blocks * fs.bsize,
    diskAvailableBytes: fs.bavail * fs.bsize,
    bootId: await readTrim(BOOT_ID_PATH),
    machineId: await readTrim(MACHINE_ID_PATH),
    kernelVersion: os.release(),
    osImage: prettyName(await readTrim(OS_RELEASE_PATH)),
    architecture: ARCH[os.arch()] ?? os.arch(),
    runtimeVersion: await runcVersion(),
  };
}
