import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { computePodStatus, type ObservedContainer, type PodStatusInput } from './pod-status.ts';
import type { ContainerStatus } from './runtime/types.ts';

const NOW = new Date('2026-01-01T00:00:10Z');

function rt(state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    id: 'c1',
    sandboxId: 's1',
    name: 'app',
    attempt: 0,
    imageId: 'img',
    imageRef: 'registry/busybox@sha256:aa',
    state,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    startedAt: new Date('2026-01-01T00:00:01Z'),
    logPath: '/x',
    labels: {},
    annotations: {},
    ...extra,
  };
}

const obs = (o: Partial<ObservedContainer>): ObservedContainer => ({
  name: 'app',
  image: 'busybox',
  restartCount: 0,
  ready: true,
  started: true,
  ...o,
});

function input(pod: Pod, containers: ObservedContainer[], init: ObservedContainer[] = []): PodStatusInput {
  return {
    pod,
    init,
    containers,
    podIPs: ['10.42.251.5'],
    hostIPs: ['127.0.0.1'],
    sandboxReady: true,
    now: NOW,
  };
}

const pod = (restartPolicy = 'Always'): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { restartPolicy, containers: [{ name: 'app', image: 'busybox' }] },
});

const cond = (s: ReturnType<typeof computePodStatus>, type: string) =>
  s.conditions?.find((c) => c.type === type);

test('a running ready container makes the pod Running and Ready', () => {
  const s = computePodStatus(input(pod(), [obs({ current: rt('running') })]));
  assert.equal(s.phase, 'Running');
  assert.equal(cond(s, 'Ready')?.status, 'True');
  assert.equal(cond(s, 'Initialized')?.status, 'True');
  const cs = s.containerStatuses?.[0];
  assert.equal(cs?.containerID, 'skiff://c1');
  assert.equal(cs?.state?.running?.startedAt, '2026-01-01T00:00:01Z');
  assert.equal(cs?.ready, true);
  assert.equal(s.podIP, '10.42.251.5');
  assert.equal(s.qosClass, 'BestEffort');
});

test('no container yet: Pending with ContainerCreating, not ready', () => {
  const s = computePodStatus(input(pod(), [obs({ ready: false })]));
  assert.equal(s.phase, 'Pending');
  assert.equal(s.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  assert.equal(cond(s, 'Ready')?.reason, 'ContainersNotReady');
  assert.equal(cond(s, 'Ready')?.message, 'containers with unready status: [app]');
});

test('crash loop: waiting CrashLoopBackOff with the crash as lastState, phase Running', () => {
  const crashed = rt('exited', {
    exitCode: 1,
    reason: 'Error',
    finishedAt: new Date('2026-01-01T00:00:02Z'),
  });
  const s = computePodStatus(
    input(pod(), [
      obs({ current: crashed, restartCount: 2, waiting: { reason: 'CrashLoopBackOff', message: 'm' } }),
    ]),
  );
  const cs = s.containerStatuses?.[0];
  assert.equal(cs?.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(cs?.lastState?.terminated?.exitCode, 1);
  assert.equal(cs?.lastState?.terminated?.reason, 'Error');
  assert.equal(cs?.restartCount, 2);
  assert.equal(s.phase, 'Running');
});

test('restartPolicy Never: exit 0 → Succeeded, exit 1 → Failed, Ready reason PodCompleted', () => {
  const ok = computePodStatus(input(pod('Never'), [obs({ current: rt('exited', { exitCode: 0 }) })]));
  assert.equal(ok.phase, 'Succeeded');
  assert.equal(ok.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  assert.equal(cond(ok, 'Ready')?.reason, 'PodCompleted');
  const bad = computePodStatus(input(pod('Never'), [obs({ current: rt('exited', { exitCode: 1 }) })]));
  assert.equal(bad.phase, 'Failed');
  assert.equal(bad.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
});

test('init containers pending keep the pod Pending and Initialized False', () => {
  const p = pod();
  const s = computePodStatus(
    input(p, [obs({ ready: false })], [obs({ name: 'init', current: rt('running', { name: 'init' }) })]),
  );
  assert.equal(s.phase, 'Pending');
  assert.equal(cond(s, 'Initialized')?.status, 'False');
  assert.equal(cond(s, 'Initialized')?.message, 'containers with incomplete status: [init]');
  assert.equal(s.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
});

test('lastTransitionTime is kept while a condition does not change; readiness gates gate Ready', () => {
  let p: Pod = {
    ...pod(),
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  };
  const s = computePodStatus(input(p, [obs({ current: rt('running') })]));
  assert.equal(cond(s, 'Ready')?.lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(cond(s, 'ContainersReady')?.lastTransitionTime, '2026-01-01T00:00:10Z');
  p = {
    ...p,
    spec: { ...p.spec, containers: p.spec?.containers ?? [], readinessGates: [{ conditionType: 'x/gate' }] },
  };
  const g = computePodStatus(input(p, [obs({ current: rt('running') })]));
  assert.equal(cond(g, 'Ready')?.status, 'False');
  assert.equal(cond(g, 'Ready')?.reason, 'ReadinessGatesNotReady');
  assert.equal(cond(g, 'ContainersReady')?.status, 'True');
});
