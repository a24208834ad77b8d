// Removes everything the runtime created on the host (for `skiff uninstall` and tests): every
// container in our runc root (killed and deleted, which also stops its conmon), overlay mounts
// under the state directory, the cgroup tree under our cgroup root, and the run directory.

import { rm } from 'node:fs/promises';
import { removeCgroupTree } from './cgroups.ts';
import { inMountinfo, mountsUnder, unmount } from './overlay.ts';
import { DEFAULT_RUNC, Runc } from './runc.ts';
import { DEFAULT_CGROUP_ROOT, DEFAULT_RUN_DIR } from './runc-runtime.ts';

export interface HostCleanupOptions {
  stateDir: string;
  runDir?: string;
  cgroupRoot?: string;
  runcPath?: string;
  /** Also delete the state directory (records, upper dirs, logs). */
  removeState?: boolean;
}

/** Returns cgroup directories that could not be removed (still busy). */
export async function removeRuntimeHostState(opts: HostCleanupOptions): Promise<string[]> {
  const runDir = opts.runDir ?? DEFAULT_RUN_DIR;
  const runc = new Runc(`${runDir}/runc`, opts.runcPath ?? DEFAULT_RUNC);
  const containers = await runc.list().catch(() => []);
  for (const c of containers) {
    await runc.kill(c.id, 'SIGKILL').catch(() => {});
  }
  for (const c of containers) await runc.delete(c.id).catch(() => {});
  // Deepest mounts first; each checked again (a lazy unmount of a parent takes its children along).
  for (const m of (await mountsUnder(opts.stateDir)).sort((a, b) => b.length - a.length))
    await unmount(m, inMountinfo);
  const busy = await removeCgroupTree(opts.cgroupRoot ?? DEFAULT_CGROUP_ROOT);
  await rm(runDir, { recursive: true, force: true });
  if (opts.removeState) await rm(opts.stateDir, { recursive: true, force: true });
  return busy;
}
