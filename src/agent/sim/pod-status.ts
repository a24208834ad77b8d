// What a kubelet would report for a pod on the hollow node, as a pure function of the pod, when
// the node first saw it, and the time: Pending until the startup delay passed, then Running (Ready
// unless the pod asks not to be), then — for pods whose containers exit — terminal or restarting.
// Everything is derived from times, so a recomputation gives the same timestamps and a status
// already written is recognised by its fingerprint.
import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.d.ts';
import { podQosClass } from '../../api/kinds/core/pod-qos.ts';
import { rfc3339 } from '../../util/time-format.ts';
import { behaviourOf } from './annotations.ts';

export const CONTAINER_ID_SCHEME = 'skiff-sim://';
/** Shortest container run when restarts loop, so `exit-after: 0s` cannot spin the API server. */
export const MIN_RESTARTING_RUN_MS = 50;

export const REASON_CONTAINER_CREATING = 'ContainerCreating';
export const REASON_CONTAINERS_NOT_READY = 'ContainersNotReady';
export const REASON_POD_COMPLETED = 'PodCompleted';
export const REASON_COMPLETED = 'Completed';
export const REASON_ERROR = 'Error';

/** The node's facts about one pod. */
export interface PodLife {
  /** When the node first saw the pod bound to it (status.startTime). */
  seenAt: number;
  /** When its containers start (seenAt + startup delay). */
  runningAt: number;
  podIP: string;
  hostIP: string;
}

export interface SimulatedStatus {
  status: PodStatus;
  /** When the status changes next by itself (a container exits), if ever. */
  nextChangeAt?: number;
}

/** RFC 3339 with second precision, as metav1.Time marshals. */

interface Run {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  restartCount: number;
  /** Start of the current (or last) run. */
  startedAt: number;
  /** End of the last run: the terminal one, or the previous one of a restarting container. */
  finishedAt?: number;
  exitCode: number;
  nextChangeAt?: number;
}

function runOf(pod: Pod, life: PodLife, now: number): Run {
  const b = behaviourOf(pod);
  if (now < life.runningAt) {
    return {
      phase: 'Pending',
      restartCount: 0,
      startedAt: life.runningAt,
      exitCode: 0,
      nextChangeAt: life.runningAt,
    };
  }
  if (b.exitAfterMs === undefined)
    return { phase: 'Running', restartCount: 0, startedAt: life.runningAt, exitCode: 0 };
  const policy = pod.spec?.restartPolicy ?? 'Always';
  // The kubelet restarts on any exit with Always, on failures only with OnFailure.
  const restarts = policy === 'Always' || (policy === 'OnFailure' && b.exitCode !== 0);
  if (!restarts) {
    const end = life.runningAt + b.exitAfterMs;
    if (now < end)
      return { phase: 'Running', restartCount: 0, startedAt: life.runningAt, exitCode: 0, nextChangeAt: end };
    return {
      phase: b.exitCode === 0 ? 'Succeeded' : 'Failed',
      restartCount: 0,
      startedAt: life.runningAt,
      finishedAt: end,
      exitCode: b.exitCode,
    };
  }
  const run = Math.max(b.exitAfterMs, MIN_RESTARTING_RUN_MS);
  const k = Math.floor((now - life.runningAt) / run);
  const startedAt = life.runningAt + k * run;
  return {
    phase: 'Running',
    restartCount: k,
    startedAt,
    finishedAt: k > 0 ? startedAt : undefined,
    exitCode: b.exitCode,
    nextChangeAt: startedAt + run,
  };
}

function condition(type: string, ok: boolean, at: number, reason?: string, message?: string): PodCondition {
  return {
    type,
    status: ok ? 'True' : 'False',
    lastTransitionTime: rfc3339(at),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export function simulatedStatus(pod: Pod, life: PodLife, now: number): SimulatedStatus {
  const r = runOf(pod, life, now);
  const b = behaviourOf(pod);
  const containers = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const uid = pod.metadata?.uid ?? '';
  const started = r.phase !== 'Pending';
  const terminal = r.phase === 'Succeeded' || r.phase === 'Failed';
  const ready = r.phase === 'Running' && b.ready;
  const reasonCode = r.exitCode === 0 ? REASON_COMPLETED : REASON_ERROR;
  const terminated = (
    name: string,
    startedAt: number,
    finishedAt: number,
    exitCode: number,
    reason: string,
  ) => ({
    terminated: {
      exitCode,
      reason,
      startedAt: rfc3339(startedAt),
      finishedAt: rfc3339(finishedAt),
      containerID: `${CONTAINER_ID_SCHEME}${uid}/${name}`,
    },
  });
  const containerStatuses: ContainerStatus[] = containers.map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: `${CONTAINER_ID_SCHEME}${c.image ?? ''}`,
    ...(started ? { containerID: `${CONTAINER_ID_SCHEME}${uid}/${c.name}` } : {}),
    ready,
    started: r.phase === 'Running',
    restartCount: r.restartCount,
    state: !started
      ? { waiting: { reason: REASON_CONTAINER_CREATING } }
      : terminal
        ? terminated(c.name, r.startedAt, r.finishedAt ?? r.startedAt, r.exitCode, reasonCode)
        : { running: { startedAt: rfc3339(r.startedAt) } },
    lastState:
      !terminal && r.finishedAt !== undefined
        ? terminated(c.name, r.startedAt, r.finishedAt, r.exitCode, reasonCode)
        : {},
  }));
  const initContainerStatuses: ContainerStatus[] = inits.map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: `${CONTAINER_ID_SCHEME}${c.image ?? ''}`,
    ready: started,
    started: false,
    restartCount: 0,
    state: started
      ? terminated(c.name, life.runningAt, life.runningAt, 0, REASON_COMPLETED)
      : { waiting: { reason: 'PodInitializing' } },
    lastState: {},
  }));
  const unready = `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`;
  const notReadyReason =
    terminal && r.phase === 'Succeeded' ? REASON_POD_COMPLETED : REASON_CONTAINERS_NOT_READY;
  const readyAt = terminal ? (r.finishedAt ?? now) : started ? life.runningAt : life.seenAt;
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', started, started ? life.runningAt : life.seenAt),
    condition('Initialized', started || inits.length === 0, started ? life.runningAt : life.seenAt),
    ready
      ? condition('Ready', true, readyAt)
      : condition(
          'Ready',
          false,
          readyAt,
          notReadyReason,
          notReadyReason === REASON_POD_COMPLETED ? undefined : unready,
        ),
    ready
      ? condition('ContainersReady', true, readyAt)
      : condition(
          'ContainersReady',
          false,
          readyAt,
          notReadyReason,
          notReadyReason === REASON_POD_COMPLETED ? undefined : unready,
        ),
    condition('PodScheduled', true, life.seenAt),
  ];
  const hostNetwork = pod.spec?.hostNetwork === true;
  const podIP = hostNetwork ? life.hostIP : life.podIP;
  const status: PodStatus = {
    phase: r.phase,
    conditions,
    hostIP: life.hostIP,
    hostIPs: [{ ip: life.hostIP }],
    ...(started ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: rfc3339(life.seenAt),
    ...(inits.length ? { initContainerStatuses } : {}),
    containerStatuses,
    qosClass: podQosClass(pod.spec as Record<string, unknown> | undefined),
  };
  return { status, ...(r.nextChangeAt !== undefined ? { nextChangeAt: r.nextChangeAt } : {}) };
}

/** The parts of a status that matter to controllers: equal fingerprints need no write. */
export function statusFingerprint(s: PodStatus | undefined): string {
  if (!s) return '';
  return JSON.stringify([
    s.phase,
    (s.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort(),
    (s.containerStatuses ?? []).map((c) => [c.name, c.ready, c.restartCount, Object.keys(c.state ?? {})]),
    (s.initContainerStatuses ?? []).map((c) => [c.name, Object.keys(c.state ?? {})]),
    s.podIP ?? '',
    s.hostIP ?? '',
  ]);
}
