// The container runtime contract the node agent's pod workers drive (CRI's shape, trimmed to what
// skiff uses). Lifecycle:
//
//   createSandbox ─► createContainer ─► startContainer ─► (exits | stopContainer) ─► removeContainer
//        │                                                                             │
//        └──────────────── stopSandbox / removeSandbox (stops and removes its containers) ◄┘
//
// State lives on disk: a new runtime instance over the same directories re-adopts sandboxes and
// containers that kept running while the agent was down (their monitors outlive the agent).
// Every method is safe to call again after a crash half-way (remove/stop are idempotent).
import type { PodDNSConfig } from 'kubernetes-types/core/v1.d.ts';

import type { Disposable } from '../../util/disposable.ts';
import type { ContainerResources } from './cgroup-resources.ts';
import type { UnpackedImage } from './images/image-service.ts';
import type { BindMount } from './oci-spec.ts';

export interface DnsConfig {
  nameservers: string[];
  searches?: string[];
  options?: string[];
}

export interface SandboxConfig {
  /** Chosen by the caller (e.g. to name the network namespace first); generated when absent. */
  id?: string;
  podUid: string;
  name: string;
  namespace: string;
  hostname: string;
  /** Network namespace to join (`/var/run/netns/skiff-<id>`); absent = host network. */
  netnsPath?: string;
  /** Pod IPs, for the pod's /etc/hosts. */
  podIps?: string[];
  /** Explicit resolver configuration; absent = computed from dnsPolicy/dnsConfig (pod-files.ts). */
  dns?: DnsConfig;
  /** The pod's spec.dnsPolicy (default ClusterFirst) and spec.dnsConfig. */
  dnsPolicy?: string;
  dnsConfig?: PodDNSConfig;
  hostAliases?: { ip: string; hostnames: string[] }[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type SandboxState = 'ready' | 'notready';

export interface SandboxStatus {
  id: string;
  podUid: string;
  name: string;
  namespace: string;
  hostname: string;
  state: SandboxState;
  netnsPath?: string;
  createdAt: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface SecurityOptions {
  runAsUser?: number;
  runAsGroup?: number;
  supplementalGroups?: number[];
  fsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  /** false → no_new_privs (the default, as in containerd). */
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccomp?: 'RuntimeDefault' | 'Unconfined';
}

export interface ContainerConfig {
  sandboxId: string;
  name: string;
  /** Restart count: part of the container's identity in status and log paths. */
  attempt?: number;
  image: UnpackedImage;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  workingDir?: string;
  mounts?: BindMount[];
  resources?: ContainerResources;
  security?: SecurityOptions;
  /** Where conmon writes the CRI log; defaults to a file in the container's state directory. */
  logPath?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

/** Kubernetes' terminated reasons the runtime can tell apart. */
export type ExitReason = 'Completed' | 'Error' | 'OOMKilled' | 'Unknown';

export interface ContainerStatus {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  imageId: string;
  imageRef: string;
  state: ContainerState;
  /** Host PID of the container's init process while created/running. */
  pid?: number;
  exitCode?: number;
  reason?: ExitReason;
  message?: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  logPath: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ExecOptions {
  env?: string[];
  cwd?: string;
  stdin?: Buffer;
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

export interface ContainerRuntime extends Disposable {
  createSandbox(config: SandboxConfig): Promise<string>;
  /** Stops every container of the sandbox and the sandbox itself; idempotent. */
  stopSandbox(id: string): Promise<void>;
  /** Stops and removes the sandbox and all its containers; idempotent. */
  removeSandbox(id: string): Promise<void>;
  sandboxStatus(id: string): Promise<SandboxStatus | undefined>;
  /** Every sandbox, or those of one pod (cheap: only those are inspected). */
  listSandboxes(filter?: { podUid?: string }): Promise<SandboxStatus[]>;

  createContainer(config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Stop signal, then SIGKILL after `gracePeriodSeconds`; returns once the container exited. */
  stopContainer(id: string, gracePeriodSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus | undefined>;
  listContainers(filter?: { sandboxId?: string; state?: ContainerState }): Promise<ContainerStatus[]>;
  exec(id: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Called with a container ID whenever a container exits (also for exits found on re-adoption). */
  onContainerExit(listener: (id: string) => void): Disposable;
}

/** Closed set of runtime failures, with predicates, for the pod worker's reasons. */
export type RuntimeErrorKind = 'NotFound' | 'InvalidConfig' | 'CreateFailed' | 'StartFailed' | 'NotRunning';

export class RuntimeError extends Error {
  readonly kind: RuntimeErrorKind;

  constructor(kind: RuntimeErrorKind, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RuntimeError';
    this.kind = kind;
  }
}

export const isRuntimeError = (err: unknown, kind?: RuntimeErrorKind): err is RuntimeError =>
  err instanceof RuntimeError && (kind === undefined || err.kind === kind);
