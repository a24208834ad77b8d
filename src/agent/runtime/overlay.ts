// Per-container overlay root filesystems: the image's flattened tree is the single read-only
// lowerdir, writes go to the container's own upperdir.

import { readFile } from 'node:fs/promises';
import { CommandError, runCommand } from './command.ts';
import { isMountPoint } from './mount-point.ts';

export async function mountOverlay(opts: {
  lower: string;
  upper: string;
  work: string;
  target: string;
}): Promise<void> {
  // Commas and colons are separators in overlay options; our paths never contain them.
  for (const p of [opts.lower, opts.upper, opts.work]) {
    if (/[,:]/.test(p)) throw new Error(`overlay path ${p} contains ',' or ':'`);
  }
  await runCommand('mount', [
    '-t',
    'overlay',
    'overlay',
    '-o',
    `lowerdir=${opts.lower},upperdir=${opts.upper},workdir=${opts.work}`,
    opts.target,
  ]);
}

/** Mount points under `prefix` from /proc/self/mountinfo (field 5, with octal escapes decoded). */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) =>
      l.split(' ')[4].replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))),
    )
    .filter((p) => p === prefix || p.startsWith(`${prefix}/`));
}

/** Whether /proc/self/mountinfo lists `target` (also finds bind mounts of the same device). */
export async function inMountinfo(target: string): Promise<boolean> {
  return (await mountsUnder(target)).includes(target);
}

/** Unmounts if mounted (idempotent). `isMounted` defaults to the cheap device check. */
export async function unmount(
  target: string,
  isMounted: (dir: string) => Promise<boolean> = isMountPoint,
): Promise<void> {
  if (!(await isMounted(target))) return;
  try {
    await runCommand('umount', [target]);
  } catch (err) {
    // Busy (a process still holds it): detach lazily so the directory can go.
    if (err instanceof CommandError && /busy/i.test(err.stderr)) await runCommand('umount', ['-l', target]);
    else throw err;
  }
}
