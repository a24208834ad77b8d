import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workloadReadiness } from './readiness.ts';

const deploy = (status: object, generation = 1, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', generation },
  spec: { replicas },
  status,
});

test('a Deployment is up when every replica is updated and available, with no old ones left', () => {
  assert.equal(workloadReadiness(deploy({ observedGeneration: 0 })).state, 'waiting');
  assert.equal(
    workloadReadiness(deploy({ observedGeneration: 1, updatedReplicas: 1, replicas: 2 })).state,
    'waiting',
  );
  const old = workloadReadiness(
    deploy({ observedGeneration: 1, updatedReplicas: 2, replicas: 3, availableReplicas: 2 }),
  );
  assert.deepEqual(old, { state: 'waiting', message: '1 old replicas pending termination' });
  assert.equal(
    workloadReadiness(
      deploy({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }),
    ).state,
    'waiting',
  );
  assert.equal(
    workloadReadiness(
      deploy({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }),
    ).state,
    'ready',
  );
});

test('a Deployment past its progress deadline fails the wait', () => {
  const r = workloadReadiness(
    deploy({
      observedGeneration: 1,
      conditions: [
        { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'too slow' },
      ],
    }),
  );
  assert.deepEqual(r, { state: 'failed', message: 'too slow' });
});

test('a Job is up when Complete, failed when Failed', () => {
  const job = (conditions: object[]) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'm' },
    status: { conditions, active: 1 },
  });
  assert.equal(workloadReadiness(job([])).state, 'waiting');
  assert.equal(workloadReadiness(job([{ type: 'Complete', status: 'True' }])).state, 'ready');
  assert.deepEqual(
    workloadReadiness(job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }])),
    {
      state: 'failed',
      message: 'BackoffLimitExceeded',
    },
  );
});

test('StatefulSets wait for ready pods and a finished update; DaemonSets for every scheduled pod', () => {
  const sts = (status: object) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', generation: 1 },
    spec: { replicas: 1 },
    status,
  });
  assert.equal(workloadReadiness(sts({ observedGeneration: 1, readyReplicas: 0 })).state, 'waiting');
  assert.equal(
    workloadReadiness(
      sts({ observedGeneration: 1, readyReplicas: 1, currentRevision: 'a', updateRevision: 'b' }),
    ).state,
    'waiting',
  );
  assert.equal(
    workloadReadiness(
      sts({ observedGeneration: 1, readyReplicas: 1, currentRevision: 'b', updateRevision: 'b' }),
    ).state,
    'ready',
  );
  const ds = (status: object) => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'd', generation: 2 },
    status,
  });
  assert.equal(
    workloadReadiness(
      ds({ observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 }),
    ).state,
    'waiting',
  );
  assert.equal(
    workloadReadiness(
      ds({ observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 }),
    ).state,
    'waiting',
  );
  assert.equal(
    workloadReadiness(
      ds({ observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }),
    ).state,
    'ready',
  );
});
