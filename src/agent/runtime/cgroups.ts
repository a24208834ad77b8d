// cgroup v1 helpers for the cgroupfs layout runc creates for `cgroupsPath: /skiff/<pod>/<ctr>`
// (one directory per hierarchy; this host also mounts a v2 `unified` tree runc joins).

import { readdir, readFile, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const CGROUP_MOUNT = '/sys/fs/cgroup';

/** Hierarchy directories under /sys/fs/cgroup (combined controllers show up once). */
export async function hierarchies(mount = CGROUP_MOUNT): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(mount, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) out.push(join(mount, e.name));
  }
  return out;
}

/** `oom_kill` from memory.oom_control: read it before `runc delete` removes the cgroup. */
export function parseOomKillCount(oomControl: string): number {
  const m = /^oom_kill (\d+)$/m.exec(oomControl);
  return m ? Number(m[1]) : 0;
}

export async function readOomKillCount(cgroupsPath: string, mount = CGROUP_MOUNT): Promise<number> {
  const text = await readFile(join(mount, 'memory', cgroupsPath, 'memory.oom_control'), 'utf8').catch(
    () => '',
  );
  return parseOomKillCount(text);
}

/** Reads one cgroup file of a container (e.g. `memory`, `memory.limit_in_bytes`). */
export async function readCgroupFile(
  cgroupsPath: string,
  controller: string,
  file: string,
  mount = CGROUP_MOUNT,
) {
  return (await readFile(join(mount, controller, cgroupsPath, file), 'utf8')).trim();
}

/**
 * Removes a cgroup directory tree in every hierarchy, deepest first. Only empty cgroups can be
 * removed; a busy one (a process still inside) is left and reported.
 */
export async function removeCgroupTree(cgroupPath: string, mount = CGROUP_MOUNT): Promise<string[]> {
  const busy: string[] = [];
  const removeDeep = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await removeDeep(join(dir, e.name));
    }
    await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') busy.push(dir);
    });
  };
  for (const h of await hierarchies(mount)) {
    const dir = join(h, cgroupPath);
    if (
      await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      )
    ) {
      await removeDeep(dir);
    }
  }
  return busy;
}

/** cgroup directories named `cgroupPath` that exist in any hierarchy (for leak checks). */
export async function existingCgroups(cgroupPath: string, mount = CGROUP_MOUNT): Promise<string[]> {
  const out: string[] = [];
  for (const h of await hierarchies(mount)) {
    const dir = join(h, cgroupPath);
    if (
      await stat(dir).then(
        () => true,
        () => false,
      )
    ) {
      out.push(dir);
    }
  }
  return out;
}
