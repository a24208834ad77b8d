// Linux capabilities for container processes: Docker's (and containerd's CRI) default set, with
// Kubernetes `securityContext.capabilities` add/drop applied (names with or without `CAP_`, and
// `ALL`), or for privileged containers every capability the host lets us grant.
import { readFileSync } from 'node:fs';

/** Docker's default set: what unprivileged Kubernetes containers get from containerd and CRI-O. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability runc 1.1 knows (kernel 5.9+ list). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

export class CapabilityError extends Error {
  constructor(name: string) {
    super(`unknown capability "${name}"`);
    this.name = 'CapabilityError';
  }
}

/** `net_admin`, `NET_ADMIN` and `CAP_NET_ADMIN` all name CAP_NET_ADMIN. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full)) throw new CapabilityError(name);
  return full;
}

/** Names of the capabilities set in a /proc/<pid>/status mask (bit n = capability number n). */
export function capabilitiesInMask(hex: string): string[] {
  const mask = BigInt(`0x${hex || '0'}`);
  return ALL_CAPABILITIES.filter((_, i) => ((mask >> BigInt(i)) & 1n) === 1n);
}

/**
 * This process's bounding set: what a container can be given at most. runc fails with "unable to
 * apply caps" when asked for more (e.g. an agent without CAP_SYS_RESOURCE, as in some VMs).
 */
export function readBoundingSet(statusText?: string): string[] {
  const text = statusText ?? readFileSync('/proc/self/status', 'utf8');
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  return hex === undefined ? [...ALL_CAPABILITIES] : capabilitiesInMask(hex);
}

/**
 * The capability set: defaults (or, when privileged, all of `available` — containerd's "all
 * current capabilities"), minus `drop`, plus `add`. As in containerd, `add` wins over `drop` and
 * `ALL` expands in either list.
 */
export function effectiveCapabilities(
  opts: { add?: string[]; drop?: string[]; privileged?: boolean; available?: readonly string[] } = {},
): string[] {
  if (opts.privileged) {
    const available = new Set(opts.available ?? ALL_CAPABILITIES);
    return ALL_CAPABILITIES.filter((c) => available.has(c));
  }
  const expand = (list: string[] | undefined) =>
    (list ?? []).flatMap((n) =>
      n.toUpperCase() === 'ALL' ? [...ALL_CAPABILITIES] : [normalizeCapability(n)],
    );
  const drop = new Set(expand(opts.drop));
  const caps = new Set(DEFAULT_CAPABILITIES.filter((c) => !drop.has(c)));
  for (const c of expand(opts.add)) caps.add(c);
  return ALL_CAPABILITIES.filter((c) => caps.has(c));
}
