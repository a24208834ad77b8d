// The wired scheduler against a real in-process API server (memory store) through the loopback
// client: binding, the FailedScheduling event and PodScheduled condition, preemption, the Lease.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { until as waitUntil } from '../../../test/support/until.ts';
import type { KObject } from '../../api/object.ts';
import { EVENTS, LEASES, NODES, PODS, type ResourceRef, type RestClient } from '../../client/index.ts';
import { startTestCluster, type TestCluster } from '../../client/testing/test-cluster.ts';
import { type RunningScheduler, startScheduler } from './start-scheduler.ts';

const WAIT_MS = 10_000;
const PRIORITY_CLASSES: ResourceRef = {
  group: 'scheduling.k8s.io',
  version: 'v1',
  resource: 'priorityclasses',
  namespaced: false,
  kind: 'PriorityClass',
};
let cluster: TestCluster;
let admin: RestClient;
let sched: RunningScheduler;

const until = <T>(what: string, fn: () => Promise<T | undefined>) =>
  waitUntil(what, fn, { timeoutMs: WAIT_MS, pollMs: 50 });

const node = (name: string, cpu: string): KObject => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: {
    capacity: { cpu, memory: '8Gi', pods: '110' },
    allocatable: { cpu, memory: '8Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True' }],
  },
});

const pod = (name: string, cpu: string, extra: KObject['spec'] = {}): KObject => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }], ...extra },
});

const get = (name: string) => admin.resource(PODS, 'default').get(name);

before(async () => {
  cluster = await startTestCluster(['default', 'kube-system']);
  admin = cluster.http();
  const nodes = admin.resource(NODES);
  for (const n of ['n1', 'n2']) {
    const created = await nodes.create(node(n, '2'));
    await nodes.updateStatus({ ...created, status: node(n, '2').status });
  }
  sched = startScheduler({
    client: cluster.loopback(),
    // Frozen caches: any mutation of shared informer state by the scheduler throws here.
    freeze: true,
    leaderElection: {
      identity: 'test-scheduler',
      retryPeriodMs: 100,
      renewDeadlineMs: 1000,
      leaseDurationMs: 2000,
    },
  });
  assert.equal(await sched.leading, true);
});

after(async () => {
  await sched?.stop();
  await cluster?.stop();
});

test('holds the kube-system/kube-scheduler Lease', async () => {
  const lease = await admin.resource(LEASES, 'kube-system').get('kube-scheduler');
  assert.equal(lease.spec.holderIdentity, 'test-scheduler');
});

test('binds a pod through pods/binding and records Scheduled', async () => {
  await admin.resource(PODS, 'default').create(pod('small', '500m'));
  const bound = await until('binding', async () => (await get('small')).spec.nodeName || undefined);
  assert.match(bound, /^n[12]$/);
  const ev = await until('Scheduled event', async () =>
    (await admin.resource(EVENTS, 'default').list()).items.find(
      (e) => e.involvedObject.name === 'small' && e.reason === 'Scheduled',
    ),
  );
  assert.equal(ev.message, `Successfully assigned default/small to ${bound}`);
  assert.equal(ev.source.component, 'default-scheduler');
  const cond = (await get('small')).status.conditions.find((c: KObject) => c.type === 'PodScheduled');
  assert.equal(cond.status, 'True');
});

test('a pod too big for every node stays Pending with the FitError message', async () => {
  await admin.resource(PODS, 'default').create(pod('huge', '64'));
  const want = '0/2 nodes are available: 2 Insufficient cpu.';
  const cond = await until('PodScheduled=False', async () =>
    (await get('huge')).status?.conditions?.find((c: KObject) => c.type === 'PodScheduled'),
  );
  assert.equal(cond.status, 'False');
  assert.equal(cond.reason, 'Unschedulable');
  assert.match(cond.message, /^0\/2 nodes are available: 2 Insufficient cpu\./);
  const ev = await until('FailedScheduling event', async () =>
    (await admin.resource(EVENTS, 'default').list()).items.find(
      (e) => e.involvedObject.name === 'huge' && e.reason === 'FailedScheduling',
    ),
  );
  assert.equal(ev.type, 'Warning');
  assert.ok(ev.message.startsWith(want), ev.message);
  assert.equal((await get('huge')).spec.nodeName, undefined);
  await admin.resource(PODS, 'default').delete('huge');
});

test('a higher-priority pod preempts a lower-priority one', async () => {
  const pods = admin.resource(PODS, 'default');
  // Fill both nodes (2 cpu each, 500m already used by "small").
  await admin
    .resource(PRIORITY_CLASSES)
    .create({ metadata: { name: 'skiff-test-high' }, value: 1000, description: 'preemptor' });
  await pods.create(pod('low-1', '1500m'));
  await pods.create(pod('low-2', '1500m'));
  for (const n of ['low-1', 'low-2'])
    await until(`${n} bound`, async () => (await get(n)).spec.nodeName || undefined);
  await pods.create(pod('high', '1500m', { priorityClassName: 'skiff-test-high' }));
  const victim = await until('a victim marked for deletion', async () => {
    for (const n of ['low-1', 'low-2']) {
      const p = await get(n);
      if (p.metadata?.deletionTimestamp) return p;
    }
    return undefined;
  });
  const disruption = victim.status.conditions.find((c: KObject) => c.type === 'DisruptionTarget');
  assert.equal(disruption?.reason, 'PreemptionByScheduler');
  const high = await until(
    'nomination',
    async () => (await get('high')).status?.nominatedNodeName || undefined,
  );
  assert.equal(high, victim.spec.nodeName);
  const ev = await until('Preempted event', async () =>
    (await admin.resource(EVENTS, 'default').list()).items.find(
      (e) => e.involvedObject.name === victim.metadata?.name && e.reason === 'Preempted',
    ),
  );
  assert.match(ev.message, new RegExp(`^Preempted by pod .+ on node ${victim.spec.nodeName}$`));
  // The node (here: the test) finishes the graceful delete; the preemptor then lands there.
  await pods.delete(victim.metadata?.name ?? '', { gracePeriodSeconds: 0 });
  const landed = await until('preemptor bound', async () => (await get('high')).spec.nodeName || undefined);
  assert.equal(landed, victim.spec.nodeName);
});
