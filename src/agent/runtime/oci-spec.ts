// OCI runtime spec (config.json) generation, pure: a container description in, the document runc
// reads out. Defaults follow runc's `runc spec` and containerd's CRI (mount set, masked and
// read-only paths, Docker's capabilities, RuntimeDefault seccomp); Kubernetes semantics for
// command/args/env/workingDir are in `resolveProcess`.

import { effectiveCapabilities } from './capabilities.ts';
import { type ContainerResources, linuxResources, type OciLinuxResources } from './cgroup-resources.ts';
import type { ProcessUser } from './process-user.ts';
import type { Rlimit } from './rlimits.ts';
import { runtimeDefaultSeccomp, type SeccompProfile } from './seccomp-profile.ts';

export const OCI_VERSION = '1.0.2-dev';
/** PATH the kubelet/containerd give a container whose image sets none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Size of the per-container /dev and /dev/shm tmpfs (Docker's 64 MiB shm default). */
const DEV_TMPFS_SIZE = 'size=65536k';
const SHM_SIZE = 'size=65536k';

/** containerd's masked paths: kernel interfaces that leak host information. */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** containerd's read-only paths. */
export const READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/** How a container gets a namespace: a fresh one, the host's, or joining one at a path. */
export type NamespaceSource = 'new' | 'host' | { path: string };

export interface BindMount {
  containerPath: string;
  hostPath: string;
  readOnly?: boolean;
  /** Kubernetes mountPropagation: None → rprivate, HostToContainer → rslave, Bidirectional → rshared. */
  propagation?: 'private' | 'rslave' | 'rshared';
}

export interface ContainerSpecInput {
  /** Overlay mount point (absolute). */
  rootfs: string;
  readOnlyRootfs?: boolean;
  /** Set only when the container has its own UTS namespace (runc refuses it when joining one). */
  hostname?: string;
  args: string[];
  env: string[];
  cwd: string;
  user: ProcessUser;
  capabilities?: { add?: string[]; drop?: string[] };
  privileged?: boolean;
  /** What privileged containers get (default: every capability); the host's bounding set. */
  availableCapabilities?: readonly string[];
  /** Kubernetes allowPrivilegeEscalation=false → no_new_privs. Default true, like containerd. */
  noNewPrivileges?: boolean;
  seccomp?: 'RuntimeDefault' | 'Unconfined';
  namespaces: { network: NamespaceSource; ipc: NamespaceSource; uts: NamespaceSource; pid: NamespaceSource };
  cgroupsPath: string;
  resources?: ContainerResources;
  rlimits?: Rlimit[];
  mounts?: BindMount[];
  oomScoreAdj?: number;
  annotations?: Record<string, string>;
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[]; inheritable: string[] };
    rlimits?: Rlimit[];
    noNewPrivileges: boolean;
    oomScoreAdj?: number;
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: {
    resources: OciLinuxResources;
    cgroupsPath: string;
    namespaces: { type: string; path?: string }[];
    maskedPaths?: string[];
    readonlyPaths?: string[];
    seccomp?: SeccompProfile;
  };
}

/** The mounts every container gets (runc/containerd defaults); `/sys` is rw only when privileged. */
export function defaultMounts(privileged = false): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', DEV_TMPFS_SIZE],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', SHM_SIZE],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'],
    },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'],
    },
  ];
}

function bindMount(m: BindMount): OciMount {
  return {
    destination: m.containerPath,
    type: 'bind',
    source: m.hostPath,
    options: ['rbind', m.propagation ?? 'rprivate', ...(m.readOnly ? ['ro'] : [])],
  };
}

function namespaceEntries(ns: ContainerSpecInput['namespaces']): { type: string; path?: string }[] {
  const out: { type: string; path?: string }[] = [];
  const add = (type: string, src: NamespaceSource) => {
    if (src === 'host') return;
    out.push(src === 'new' ? { type } : { type, path: src.path });
  };
  add('pid', ns.pid);
  add('network', ns.network);
  add('ipc', ns.ipc);
  add('uts', ns.uts);
  out.push({ type: 'mount' });
  return out;
}

export function buildOciSpec(input: ContainerSpecInput): OciSpec {
  const privileged = input.privileged ?? false;
  const caps = effectiveCapabilities({
    ...input.capabilities,
    privileged,
    ...(input.availableCapabilities ? { available: input.availableCapabilities } : {}),
  });
  const seccomp = !privileged && (input.seccomp ?? 'RuntimeDefault') === 'RuntimeDefault';
  // Later mounts shadow earlier ones at the same destination: user mounts override defaults.
  const userMounts = (input.mounts ?? []).map(bindMount);
  const taken = new Set(userMounts.map((m) => m.destination));
  const mounts = [...defaultMounts(privileged).filter((m) => !taken.has(m.destination)), ...userMounts];
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: {
        uid: input.user.uid,
        gid: input.user.gid,
        ...(input.user.additionalGids.length ? { additionalGids: input.user.additionalGids } : {}),
      },
      args: input.args,
      env: input.env,
      cwd: input.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [] },
      ...(input.rlimits?.length ? { rlimits: input.rlimits } : {}),
      noNewPrivileges: privileged ? false : (input.noNewPrivileges ?? true),
      ...(input.oomScoreAdj !== undefined ? { oomScoreAdj: input.oomScoreAdj } : {}),
    },
    root: { path: input.rootfs, readonly: input.readOnlyRootfs ?? false },
    ...(input.hostname !== undefined && input.namespaces.uts === 'new' ? { hostname: input.hostname } : {}),
    mounts,
    ...(input.annotations ? { annotations: input.annotations } : {}),
    linux: {
      resources: linuxResources(input.resources, { privileged }),
      cgroupsPath: input.cgroupsPath,
      namespaces: namespaceEntries(input.namespaces),
      ...(privileged ? {} : { maskedPaths: [...MASKED_PATHS], readonlyPaths: [...READONLY_PATHS] }),
      ...(seccomp ? { seccomp: runtimeDefaultSeccomp(caps) } : {}),
    },
  };
}

export interface ProcessOverrides {
  /** Kubernetes `command` (replaces the image ENTRYPOINT). */
  command?: string[];
  /** Kubernetes `args` (replaces the image CMD). */
  args?: string[];
  env?: { name: string; value: string }[];
  workingDir?: string;
}

export interface ImageProcessDefaults {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[];
  WorkingDir?: string;
}

export class ProcessSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProcessSpecError';
  }
}

/**
 * Kubernetes' rules: `command` replaces ENTRYPOINT and drops CMD; `args` alone replaces CMD;
 * env from the pod overrides the image's by name (order kept, new names appended).
 */
export function resolveProcess(
  image: ImageProcessDefaults,
  o: ProcessOverrides,
  extraEnv: Record<string, string> = {},
): { args: string[]; env: string[]; cwd: string } {
  const entrypoint = o.command?.length ? o.command : (image.Entrypoint ?? []);
  const cmd = o.command?.length ? (o.args ?? []) : o.args?.length ? o.args : (image.Cmd ?? []);
  const args = [...entrypoint, ...cmd];
  if (args.length === 0)
    throw new ProcessSpecError('no command specified: the image has neither ENTRYPOINT nor CMD');
  const env = new Map<string, string>();
  for (const kv of image.Env ?? []) {
    const eq = kv.indexOf('=');
    env.set(eq < 0 ? kv : kv.slice(0, eq), eq < 0 ? '' : kv.slice(eq + 1));
  }
  if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH.slice('PATH='.length));
  for (const [k, v] of Object.entries(extraEnv)) if (!env.has(k)) env.set(k, v);
  for (const e of o.env ?? []) env.set(e.name, e.value);
  const cwd = o.workingDir || image.WorkingDir || '/';
  return { args, env: [...env].map(([k, v]) => `${k}=${v}`), cwd };
}
