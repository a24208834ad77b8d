// The RuntimeDefault seccomp profile. This is a DENY-LIST (default allow), not containerd's
// allow-list: it returns EPERM for the syscalls Docker's and containerd's default profiles keep from
// unprivileged containers (kernel modules, reboot/kexec, clock setting, mounts and namespace
// changes, keyrings, BPF, perf, io_uring, obsolete calls), and like theirs lets a syscall through
// when the container holds the capability that legitimately needs it. Argument filters (clone
// namespace flags, personality) are not modelled; capabilities still guard those paths.

export interface SeccompProfile {
  defaultAction: string;
  architectures: string[];
  syscalls: { names: string[]; action: string; errnoRet?: number }[];
}

const EPERM = 1;

/** Syscalls no container gets without privilege (deprecated, or not namespaced at all). */
const ALWAYS_DENIED = [
  'add_key',
  'keyctl',
  'request_key',
  'create_module',
  'get_kernel_syms',
  'query_module',
  'nfsservctl',
  'uselib',
  'ustat',
  'sysfs',
  '_sysctl',
  'vm86',
  'vm86old',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
];

/** Syscalls allowed only with the capability that governs them. */
const CAPABILITY_GATED: Record<string, string[]> = {
  CAP_SYS_ADMIN: [
    'mount',
    'umount',
    'umount2',
    'unshare',
    'setns',
    'pivot_root',
    'fsopen',
    'fsconfig',
    'fsmount',
    'fspick',
    'open_tree',
    'move_mount',
    'mount_setattr',
    'quotactl',
    'quotactl_fd',
    'lookup_dcookie',
    'bpf',
    'perf_event_open',
    'fanotify_init',
    'sethostname',
    'setdomainname',
    'swapon',
    'swapoff',
  ],
  CAP_SYS_MODULE: ['init_module', 'finit_module', 'delete_module'],
  CAP_SYS_BOOT: ['reboot', 'kexec_load', 'kexec_file_load'],
  CAP_SYS_TIME: ['settimeofday', 'stime', 'clock_settime', 'clock_adjtime'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_NICE: ['mbind', 'set_mempolicy', 'move_pages'],
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
  CAP_SYSLOG: ['syslog'],
};

/** The profile for a container holding `capabilities` (full `CAP_*` names). */
export function runtimeDefaultSeccomp(capabilities: readonly string[]): SeccompProfile {
  const held = new Set(capabilities);
  const denied = [...ALWAYS_DENIED];
  for (const [cap, names] of Object.entries(CAPABILITY_GATED)) {
    if (!held.has(cap)) denied.push(...names);
  }
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [{ names: denied.sort(), action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }],
  };
}
