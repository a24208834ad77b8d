// Liveness of host processes we do not parent (conmon is reparented to PID 1 after its
// double fork): signal 0 says the PID exists, /proc/<pid>/stat tells a zombie from a live process.

import { readFileSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Synchronous on purpose: /proc reads never block. Field 3 (after the `(comm)`) is the state.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
