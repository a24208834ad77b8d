// The READY, STATUS and RESTARTS cells of `kubectl get pods`, computed as upstream's printPod:
// a pod's phase refined by its init containers (Init:0/1, Init:CrashLoopBackOff), its containers'
// waiting/terminated reasons (ContainerCreating, CrashLoopBackOff, Completed, ExitCode:1), and
// deletion (Terminating, Unknown for pods lost with their node).
import type { KObject } from '../../object.ts';
import { humanDuration, parseTime } from '../printing/duration.ts';
import { asList } from './pod-defaults.ts';

export const NODE_UNREACHABLE_REASON = 'NodeLost';
const SCHEDULING_GATED = 'SchedulingGated';

export interface PodSummary {
  /** `1/2` */
  ready: string;
  status: string;
  /** `3` or `3 (5m ago)` */
  restarts: string;
}

const isRestartableInit = (c: KObject | undefined): boolean => c?.restartPolicy === 'Always';
const hasCondition = (pod: KObject, type: string): boolean =>
  asList(pod.status?.conditions).some((c) => c.type === type && c.status === 'True');

export function summarizePod(pod: KObject, now: number): PodSummary {
  const spec: KObject = pod.spec ?? {};
  const status: KObject = pod.status ?? {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = asList(spec.containers).length;
  let ready = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  let reason: string = status.reason || status.phase || '';
  for (const c of asList(status.conditions)) {
    if (c.type === 'PodScheduled' && c.reason === SCHEDULING_GATED) reason = SCHEDULING_GATED;
  }
  const initSpecs = new Map<string, KObject>();
  for (const c of asList(spec.initContainers)) {
    initSpecs.set(c.name, c);
    if (isRestartableInit(c)) total++;
  }
  const finishedAt = (c: KObject): number => parseTime(c.lastState?.terminated?.finishedAt) ?? 0;

  let initializing = false;
  const initStatuses = asList(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(c));
    const sidecar = isRestartableInit(initSpecs.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finishedAt(c));
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    if (terminated) {
      if (terminated.reason) reason = `Init:${terminated.reason}`;
      else if (terminated.signal) reason = `Init:Signal:${terminated.signal}`;
      else reason = `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${asList(spec.initContainers).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = asList(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(c));
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated)
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose last container completed while another still runs is not Completed.
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE_REASON) reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !terminal) reason = 'Terminating';

  const restartText =
    restarts !== 0 && lastRestart !== 0
      ? `${restarts} (${humanDuration(now - lastRestart)} ago)`
      : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}
