import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject } from '../../object.ts';
import { summarizePod } from './pod-status.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const AGO_5M = '2024-05-01T11:55:00Z';
const c = (name: string, extra: KObject = {}): KObject => ({ name, image: 'busybox', ...extra });
const running = (name: string, ready = true, extra: KObject = {}): KObject => ({
  name,
  ready,
  restartCount: 0,
  state: { running: { startedAt: AGO_5M } },
  ...extra,
});

interface Case {
  name: string;
  spec?: KObject;
  status: KObject;
  deleting?: boolean;
  want: { ready: string; status: string; restarts: string };
}

const CASES: Case[] = [
  {
    name: 'just created',
    status: { phase: 'Pending' },
    want: { ready: '0/1', status: 'Pending', restarts: '0' },
  },
  {
    name: 'pulling and creating',
    status: {
      phase: 'Pending',
      containerStatuses: [
        { name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    },
    want: { ready: '0/1', status: 'ContainerCreating', restarts: '0' },
  },
  {
    name: 'running and ready',
    status: { phase: 'Running', containerStatuses: [running('a')] },
    want: { ready: '1/1', status: 'Running', restarts: '0' },
  },
  {
    name: 'running, not ready yet',
    status: { phase: 'Running', containerStatuses: [running('a', false)] },
    want: { ready: '0/1', status: 'Running', restarts: '0' },
  },
  {
    name: 'crash looping, with the last restart time',
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'a',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: AGO_5M } },
        },
      ],
    },
    want: { ready: '0/1', status: 'CrashLoopBackOff', restarts: '5 (5m ago)' },
  },
  {
    name: 'completed',
    status: {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'a',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
    },
    want: { ready: '0/1', status: 'Completed', restarts: '0' },
  },
  {
    name: 'terminated without a reason: exit code',
    status: {
      phase: 'Failed',
      containerStatuses: [{ name: 'a', restartCount: 0, state: { terminated: { exitCode: 3 } } }],
    },
    want: { ready: '0/1', status: 'ExitCode:3', restarts: '0' },
  },
  {
    name: 'terminated by a signal',
    status: {
      phase: 'Failed',
      containerStatuses: [
        { name: 'a', restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } },
      ],
    },
    want: { ready: '0/1', status: 'Signal:9', restarts: '0' },
  },
  {
    name: 'evicted',
    status: { phase: 'Failed', reason: 'Evicted' },
    want: { ready: '0/1', status: 'Evicted', restarts: '0' },
  },
  {
    name: 'first init container running',
    spec: { initContainers: [c('init')], containers: [c('a')] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: { running: {} } }],
      containerStatuses: [
        { name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
      ],
    },
    want: { ready: '0/1', status: 'Init:0/1', restarts: '0' },
  },
  {
    name: 'second of two init containers running',
    spec: { initContainers: [c('i1'), c('i2')], containers: [c('a')] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'i1', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'i2', restartCount: 0, state: { running: {} } },
      ],
    },
    want: { ready: '0/1', status: 'Init:1/2', restarts: '0' },
  },
  {
    name: 'init container crash looping',
    spec: { initContainers: [c('init')], containers: [c('a')] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'init', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ],
    },
    want: { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '2' },
  },
  {
    name: 'init container failed',
    spec: { initContainers: [c('init')], containers: [c('a')] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'init', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } },
      ],
    },
    want: { ready: '0/1', status: 'Init:Error', restarts: '0' },
  },
  {
    name: 'init container failed without a reason',
    spec: { initContainers: [c('init')], containers: [c('a')] },
    status: {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'init', restartCount: 0, state: { terminated: { exitCode: 2 } } }],
    },
    want: { ready: '0/1', status: 'Init:ExitCode:2', restarts: '0' },
  },
  {
    name: 'a started sidecar counts as a container',
    spec: { initContainers: [c('proxy', { restartPolicy: 'Always' })], containers: [c('a')] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [
        { name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} } },
      ],
      containerStatuses: [running('a')],
    },
    want: { ready: '2/2', status: 'Running', restarts: '1' },
  },
  {
    name: 'one container completed, another still running and ready',
    spec: { containers: [c('a'), c('b')] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        running('b'),
      ],
    },
    want: { ready: '1/2', status: 'Running', restarts: '0' },
  },
  {
    name: 'one container completed, another running but the pod not ready',
    spec: { containers: [c('a'), c('b')] },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        running('b'),
      ],
    },
    want: { ready: '1/2', status: 'NotReady', restarts: '0' },
  },
  {
    name: 'being deleted',
    deleting: true,
    status: { phase: 'Running', containerStatuses: [running('a')] },
    want: { ready: '1/1', status: 'Terminating', restarts: '0' },
  },
  {
    name: 'being deleted on a lost node',
    deleting: true,
    status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('a')] },
    want: { ready: '1/1', status: 'Unknown', restarts: '0' },
  },
  {
    name: 'deleting a finished pod keeps its outcome',
    deleting: true,
    status: {
      phase: 'Succeeded',
      containerStatuses: [
        { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    },
    want: { ready: '0/1', status: 'Completed', restarts: '0' },
  },
  {
    name: 'gated from scheduling',
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    },
    want: { ready: '0/1', status: 'SchedulingGated', restarts: '0' },
  },
];

describe('pod READY / STATUS / RESTARTS as upstream printPod', () => {
  for (const tc of CASES) {
    test(tc.name, () => {
      const pod: KObject = {
        metadata: { name: 'p', ...(tc.deleting ? { deletionTimestamp: AGO_5M } : {}) },
        spec: tc.spec ?? { containers: [c('a')] },
        status: tc.status,
      };
      assert.deepEqual(summarizePod(pod, NOW), tc.want);
    });
  }
});
