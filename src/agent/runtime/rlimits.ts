// Process rlimits for containers, clamped to the host's hard limits: root on these machines lacks
// CAP_SYS_RESOURCE, so runc's setrlimit above the inherited hard limit fails ("Operation not
// permitted") and the container never starts.

import { readFileSync } from 'node:fs';

export interface Rlimit {
  type: string;
  soft: number;
  hard: number;
}

/** containerd's nofile default for CRI containers; clamped below on most hosts. */
const DEFAULT_NOFILE = 1_048_576;

export const DEFAULT_RLIMITS: readonly Rlimit[] = [
  { type: 'RLIMIT_NOFILE', soft: DEFAULT_NOFILE, hard: DEFAULT_NOFILE },
];

/** `/proc/self/limits` row names → RLIMIT_* names. */
const LIMIT_NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Hard limits by RLIMIT_* name from `/proc/<pid>/limits` text; "unlimited" is Infinity. */
export function parseHardLimits(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n').slice(1)) {
    const name = Object.keys(LIMIT_NAMES).find((n) => line.startsWith(n));
    if (!name) continue;
    const fields = line.slice(name.length).trim().split(/\s+/);
    const hard = fields[1];
    out.set(LIMIT_NAMES[name], hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard));
  }
  return out;
}

export function readHostHardLimits(): Map<string, number> {
  return parseHardLimits(readFileSync('/proc/self/limits', 'utf8'));
}

export function clampRlimits(wanted: readonly Rlimit[], hostHard: Map<string, number>): Rlimit[] {
  return wanted.map((r) => {
    const max = hostHard.get(r.type) ?? Number.POSITIVE_INFINITY;
    const hard = Math.min(r.hard, max);
    return { type: r.type, soft: Math.min(r.soft, hard), hard };
  });
}
