// Pure computation of a pod's status (what the kubelet's generateAPIPodStatus + getPhase do):
// container states from the runtime's view plus the worker's waiting reasons, the phase, and the
// four pod conditions with their lastTransitionTime kept while a condition does not change.
import type {
  ContainerState as ApiContainerState,
  ContainerStatus as ApiContainerStatus,
  Pod,
  PodCondition,
  PodStatus,
} from 'kubernetes-types/core/v1.d.ts';
import { podQosClass } from '../api/kinds/core/pod-qos.ts';
import { rfc3339 } from '../util/time-format.ts';
import type { ContainerStatus } from './runtime/types.ts';

export const CONTAINER_ID_SCHEME = 'skiff://';

export const REASON_CONTAINER_CREATING = 'ContainerCreating';
export const REASON_POD_INITIALIZING = 'PodInitializing';
export const REASON_CONTAINERS_NOT_READY = 'ContainersNotReady';
export const REASON_CONTAINERS_NOT_INITIALIZED = 'ContainersNotInitialized';
export const REASON_POD_COMPLETED = 'PodCompleted';
export const REASON_READINESS_GATES_NOT_READY = 'ReadinessGatesNotReady';

/** What the worker knows about one container of the spec. */
export interface ObservedContainer {
  name: string;
  /** The spec's image (status.image echoes it). */
  image: string;
  /** The newest runtime container for this name, if any. */
  current?: ContainerStatus;
  /** The previous attempt, exited (lastState). */
  previous?: ContainerStatus;
  restartCount: number;
  /** A waiting reason that wins over the runtime state (ErrImagePull, CrashLoopBackOff, ...). */
  waiting?: { reason: string; message?: string };
  /** Readiness from the probe manager (true when no readiness probe and running). */
  ready: boolean;
  /** Startup probe passed (or none). */
  started: boolean;
}

export interface PodStatusInput {
  pod: Pod;
  init: ObservedContainer[];
  containers: ObservedContainer[];
  podIPs: string[];
  hostIPs: string[];
  /** Whether the sandbox and its network exist (PodReadyToStartContainers). */
  sandboxReady: boolean;
  startTime?: string;
  now: Date;
}

const iso = (d: Date | undefined): string | undefined => (d ? rfc3339(d.getTime()) : undefined);

function terminatedState(c: ContainerStatus): ApiContainerState {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? ((c.exitCode ?? 0) === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: iso(c.startedAt),
      finishedAt: iso(c.finishedAt),
      containerID: CONTAINER_ID_SCHEME + c.id,
    },
  };
}

/** One container's status entry. */
export function containerStatus(o: ObservedContainer, defaultWaiting: string): ApiContainerStatus {
  const cur = o.current;
  let state: ApiContainerState;
  let lastState: ApiContainerState = o.previous ? terminatedState(o.previous) : {};
  if (o.waiting) {
    state = {
      waiting: { reason: o.waiting.reason, ...(o.waiting.message ? { message: o.waiting.message } : {}) },
    };
    // A crashed container waiting for its restart shows the crash as lastState.
    if (cur?.state === 'exited') lastState = terminatedState(cur);
  } else if (!cur || cur.state === 'created') {
    state = { waiting: { reason: defaultWaiting } };
  } else if (cur.state === 'running') {
    state = { running: { startedAt: iso(cur.startedAt) } };
  } else {
    state = terminatedState(cur);
  }
  const running = state.running !== undefined;
  return {
    name: o.name,
    image: o.image,
    imageID: cur?.imageRef ?? o.previous?.imageRef ?? '',
    ...(cur ? { containerID: CONTAINER_ID_SCHEME + cur.id } : {}),
    state,
    lastState,
    ready: running && o.ready,
    restartCount: o.restartCount,
    started: running && o.started,
  };
}

const isSucceeded = (s: ApiContainerStatus): boolean => s.state?.terminated?.exitCode === 0;
const hasTerminated = (s: ApiContainerStatus): boolean =>
  s.state?.terminated !== undefined || s.lastState?.terminated !== undefined;

/** The kubelet's getPhase for the computed container statuses. */
export function podPhase(pod: Pod, init: ApiContainerStatus[], containers: ApiContainerStatus[]): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  for (const s of init) {
    if (isSucceeded(s)) continue;
    if (policy === 'Never' && s.state?.terminated) return 'Failed';
    return 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of containers) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      // A container waiting to restart after a crash has run: it counts as stopped.
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(
  old: PodCondition[] | undefined,
  type: string,
  ok: boolean,
  now: string,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const lastTransitionTime = prev && prev.status === status ? prev.lastTransitionTime : now;
  return {
    type,
    status,
    lastProbeTime: null as unknown as undefined,
    lastTransitionTime,
    ...(!ok && reason ? { reason } : {}),
    ...(!ok && message ? { message } : {}),
  };
}

const listNames = (names: string[]): string => `[${names.join(' ')}]`;

export function computePodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const now = iso(input.now) as string;
  const old = pod.status?.conditions;
  const init = input.init.map((o) => containerStatus(o, REASON_POD_INITIALIZING));
  const initDone = init.every(isSucceeded);
  const containers = input.containers.map((o) =>
    containerStatus(o, initDone ? REASON_CONTAINER_CREATING : REASON_POD_INITIALIZING),
  );
  const phase = podPhase(pod, init, containers);
  const finished = phase === 'Succeeded' || phase === 'Failed';

  const incompleteInit = init.filter((s) => !isSucceeded(s)).map((s) => s.name);
  const unready = containers.filter((s) => !s.ready).map((s) => s.name);
  const gates = (pod.spec?.readinessGates ?? []).map((g) => g.conditionType);
  const failedGates = gates.filter((t) => old?.find((c) => c.type === t)?.status !== 'True');
  const containersReady = unready.length === 0 && !finished;
  const ready = containersReady && failedGates.length === 0;
  const notReadyReason = finished ? REASON_POD_COMPLETED : REASON_CONTAINERS_NOT_READY;
  const notReadyMessage = finished ? undefined : `containers with unready status: ${listNames(unready)}`;

  const conditions: PodCondition[] = [
    condition(old, 'PodReadyToStartContainers', input.sandboxReady, now),
    condition(
      old,
      'Initialized',
      incompleteInit.length === 0,
      now,
      REASON_CONTAINERS_NOT_INITIALIZED,
      `containers with incomplete status: ${listNames(incompleteInit)}`,
    ),
    condition(
      old,
      'Ready',
      ready,
      now,
      unready.length === 0 && !finished ? REASON_READINESS_GATES_NOT_READY : notReadyReason,
      unready.length === 0 && !finished
        ? `corresponding condition of pod readiness gate "${failedGates.join('", "')}" does not exist.`
        : notReadyMessage,
    ),
    condition(old, 'ContainersReady', containersReady, now, notReadyReason, notReadyMessage),
    condition(old, 'PodScheduled', true, now),
  ];
  // Conditions other components own (readiness gates, DisruptionTarget) are kept as they are.
  const mine = new Set(conditions.map((c) => c.type));
  for (const c of old ?? []) if (!mine.has(c.type)) conditions.push(c);

  return {
    phase,
    conditions,
    hostIP: input.hostIPs[0],
    hostIPs: input.hostIPs.map((ip) => ({ ip })),
    ...(input.podIPs.length > 0
      ? { podIP: input.podIPs[0], podIPs: input.podIPs.map((ip) => ({ ip })) }
      : {}),
    startTime: input.startTime ?? pod.status?.startTime ?? now,
    ...(init.length > 0 ? { initContainerStatuses: init } : {}),
    containerStatuses: containers,
    qosClass: pod.status?.qosClass ?? podQosClass(pod.spec as never),
  };
}
