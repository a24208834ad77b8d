import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CycleState } from './framework/cycle-state.ts';
import { REASON_UNSCHEDULABLE } from './host.ts';
import { Scheduler } from './scheduler.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { FakeHost } from './testing/fake-host.ts';
import { makeNode, makePod, type NodeSpec, type PodSpecShort } from './testing/objects.ts';

function cluster(nodes: NodeSpec[], pods: PodSpecShort[] = [], random = () => 0) {
  const host = new FakeHost();
  const clock = new FakeClock();
  const s = new Scheduler({ host, clock, random });
  for (const n of nodes) s.onNodeAdd(makeNode(n));
  for (const p of pods) s.onPodAdd(makePod(p));
  return { s, host, clock };
}

/** Pops and schedules every active pod, then waits for binding cycles. */
async function drain(s: Scheduler): Promise<void> {
  for (let q = s.queue.tryPop(); q; q = s.queue.tryPop()) s.scheduleOne(q);
  await s.waitForBindings();
}

describe('scheduling cycle', () => {
  test('assumes, binds and reports; later pods see the assumed resources', async () => {
    const { s, host, clock } = cluster([
      { name: 'n1', cpu: '2' },
      { name: 'n2', cpu: '2' },
    ]);
    for (const name of ['a', 'b', 'c']) {
      s.onPodAdd(makePod({ name, cpu: '1500m' }));
      clock.advance(1);
    }
    await drain(s);
    assert.equal(host.bound.size, 2);
    assert.notEqual(
      host.bound.get('default/a'),
      host.bound.get('default/b'),
      'spread by the assumed request',
    );
    assert.ok(
      host.events.includes(`Scheduled: Successfully assigned default/a to ${host.bound.get('default/a')}`),
    );
    assert.equal(host.failures.length, 1);
    assert.equal(host.failures[0].pod, 'default/c');
    assert.equal(host.failures[0].failure.reason, REASON_UNSCHEDULABLE);
    assert.equal(
      host.failures[0].failure.message,
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..',
    );
    assert.equal(s.queue.whereIs(makePod({ name: 'c' })), 'unschedulable');
  });

  test("the failure message lists every node's reason as upstream words it", async () => {
    const antiDb = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
      },
    };
    const { s, host } = cluster(
      [
        { name: 'n1', cpu: '4' },
        { name: 'n2', cpu: '4' },
        { name: 'n3', cpu: '4' },
        { name: 'n4', cpu: '4' },
        {
          name: 'n5',
          cpu: '4',
          taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
        },
      ],
      [
        { name: 'busy1', node: 'n1', cpu: '2' },
        { name: 'busy2', node: 'n2', cpu: '2' },
        { name: 'db1', node: 'n3', labels: { app: 'db' } },
        { name: 'db2', node: 'n4', labels: { app: 'db' } },
      ],
    );
    s.onPodAdd(makePod({ name: 'p', cpu: '3', spec: antiDb }));
    await drain(s);
    assert.equal(
      host.failures[0].failure.message,
      "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/5 nodes are available: 1 Preemption is not helpful for scheduling, 4 No preemption victims found for incoming pod..",
    );
  });

  test('preemptionPolicy Never skips preemption with its own message', async () => {
    const { s, host } = cluster(
      [{ name: 'n1', cpu: '1' }],
      [{ name: 'low', node: 'n1', cpu: '1', priority: 0 }],
    );
    s.onPodAdd(makePod({ name: 'p', cpu: '1', priority: 100, spec: { preemptionPolicy: 'Never' } }));
    await drain(s);
    assert.equal(
      host.failures[0].failure.message,
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..',
    );
    assert.equal(host.preempted.length, 0);
  });

  test('preemption evicts the fewest, least important pods and nominates the node', async () => {
    const { s, host, clock } = cluster(
      [
        { name: 'n1', cpu: '4' },
        { name: 'n2', cpu: '4' },
      ],
      [
        { name: 'v1', node: 'n1', cpu: '1', priority: 1 },
        { name: 'v2', node: 'n1', cpu: '1', priority: 2 },
        { name: 'v3', node: 'n1', cpu: '2', priority: 3 },
        { name: 'vip', node: 'n2', cpu: '4', priority: 1000 },
      ],
    );
    s.onPodAdd(makePod({ name: 'p', cpu: '2', priority: 10 }));
    await drain(s);
    assert.deepEqual(
      host.preempted.map((p) => p.victim).sort(),
      ['default/v1', 'default/v2'],
      'v3 alone would also do, but the two smaller, less important pods are chosen',
    );
    assert.equal(host.failures[0].failure.nominatedNodeName, 'n1');
    assert.equal(host.failures[0].failure.message, '0/2 nodes are available: 2 Insufficient cpu.');
    assert.equal(s.queue.nominatedPodsForNode('n1').length, 1);

    // The host deletes the victims; their deletion events bring the pod back.
    s.onPodDelete(makePod({ name: 'v1', node: 'n1' }));
    s.onPodDelete(makePod({ name: 'v2', node: 'n1' }));
    clock.advance(2000);
    s.queue.flushBackoffCompleted();
    await drain(s);
    assert.equal(host.bound.get('default/p'), 'n1');
  });

  test('preemption picks the node with the lower-priority victims', async () => {
    const { s, host } = cluster(
      [
        { name: 'n1', cpu: '1' },
        { name: 'n2', cpu: '1' },
      ],
      [
        { name: 'mid', node: 'n1', cpu: '1', priority: 5 },
        { name: 'low', node: 'n2', cpu: '1', priority: 1 },
      ],
    );
    s.onPodAdd(makePod({ name: 'p', cpu: '1', priority: 10 }));
    await drain(s);
    assert.deepEqual(
      host.preempted.map((p) => `${p.victim}@${p.node}`),
      ['default/low@n2'],
    );
  });

  test('a failed bind forgets the assumed pod and requeues with backoff', async () => {
    const { s, host } = cluster([{ name: 'n1', cpu: '1' }]);
    host.failBind.add('default/p');
    s.onPodAdd(makePod({ name: 'p', cpu: '1' }));
    await drain(s);
    assert.equal(s.cache.get('n1')!.requested.milliCPU, 0, 'resources given back');
    assert.equal(host.failures[0].failure.reason, 'SchedulerError');
    assert.match(host.failures[0].failure.message, /binding rejected/);
    assert.equal(s.queue.whereIs(makePod({ name: 'p' })), 'backoff');
  });

  test('a node added later brings an unschedulable pod back', async () => {
    const { s, host, clock } = cluster([{ name: 'small', cpu: '1' }]);
    s.onPodAdd(makePod({ name: 'p', cpu: '2' }));
    await drain(s);
    assert.equal(host.bound.size, 0);
    s.onNodeAdd(makeNode({ name: 'big', cpu: '8' }));
    clock.advance(1000);
    s.queue.flushBackoffCompleted();
    await drain(s);
    assert.equal(host.bound.get('default/p'), 'big');
  });

  test('ties are broken by the injected random source', () => {
    const pick = (r: number) =>
      cluster([{ name: 'x' }], [], () => r).s.selectHost([
        { name: 'a', score: 5 },
        { name: 'b', score: 9 },
        { name: 'c', score: 9 },
        { name: 'd', score: 1 },
      ]);
    assert.equal(pick(0.9), 'b');
    assert.equal(pick(0.1), 'c');
  });

  test('pods for other schedulers and gated pods are not attempted', async () => {
    const { s, host } = cluster([{ name: 'n1' }]);
    s.onPodAdd(makePod({ name: 'other', spec: { schedulerName: 'someone-else' } }));
    s.onPodAdd(makePod({ name: 'gated', spec: { schedulingGates: [{ name: 'wait' }] } }));
    await drain(s);
    assert.equal(host.bound.size, 0);
    assert.equal(host.failures.length, 0);
    assert.equal(s.queue.stats().gated, 1);
    s.onPodUpdate(
      makePod({ name: 'gated', spec: { schedulingGates: [{ name: 'wait' }] } }),
      makePod({ name: 'gated' }),
    );
    await drain(s);
    assert.equal(host.bound.get('default/gated'), 'n1');
  });

  test('large clusters sample: only the adaptive share of nodes is filtered', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => ({ name: `n${i}` }));
    const { s } = cluster(nodes);
    const fw = s.profiles.get('default-scheduler')!;
    const r = s.schedulePod(fw, new CycleState(), makePod({ name: 'p' }));
    assert.equal(r.feasibleNodes, 420);
  });

  test('run() schedules until aborted and stops its timers', async () => {
    const { s, host } = cluster([{ name: 'n1' }]);
    const ac = new AbortController();
    const running = s.run(ac.signal);
    s.onPodAdd(makePod({ name: 'p' }));
    for (let i = 0; i < 50 && !host.bound.size; i++) await new Promise((r) => setImmediate(r));
    assert.equal(host.bound.get('default/p'), 'n1');
    ac.abort();
    await running;
  });
});

describe('the scheduling loop', () => {
  test('a long queue does not starve the event loop: timers run between slices of cycles', async () => {
    const PODS = 5000;
    const { s } = cluster([{ name: 'n1', cpu: '1000' }]);
    for (let i = 0; i < PODS; i++) s.onPodAdd(makePod({ name: `p${i}`, cpu: '10m' }));
    let cycles = 0;
    const cycle = s.scheduleOne.bind(s);
    s.scheduleOne = (q) => {
      cycles++;
      cycle(q);
    };
    let cyclesWhenTimerRan = -1;
    setTimeout(() => {
      cyclesWhenTimerRan = cycles;
    }, 0);
    const stop = new AbortController();
    const running = s.run(stop.signal);
    while (cycles < PODS) await new Promise((r) => setImmediate(r));
    stop.abort();
    await running;
    assert.ok(cyclesWhenTimerRan >= 0, 'the timer ran');
    assert.ok(cyclesWhenTimerRan < PODS, `the timer waited for all ${PODS} cycles`);
  });
});
