import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ActionType, EventResource, event, NODE_ADD } from '../framework/events.ts';
import { Code, newStatus } from '../framework/status.ts';
import { prioritySortLess } from '../plugins/prioritysort/priority-sort.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { makePod } from '../testing/objects.ts';
import { backoffDuration } from './backoff.ts';
import { SchedulingQueue } from './scheduling-queue.ts';

function newQueue(clock = new FakeClock()) {
  const q = new SchedulingQueue({
    clock,
    less: prioritySortLess,
    preEnqueue: (pod) =>
      pod.spec?.schedulingGates?.length
        ? newStatus(Code.UnschedulableAndUnresolvable, 'gated').withPlugin('SchedulingGates')
        : undefined,
    eventsByPlugin: new Map([
      ['NodeResourcesFit', [{ event: event(EventResource.Node, ActionType.Add, 'NodeAdd') }]],
      ['TaintToleration', [{ event: event(EventResource.Node, ActionType.UpdateNodeTaint, 'NodeTaint') }]],
    ]),
  });
  return { q, clock };
}

describe('SchedulingQueue', () => {
  test('pops by priority, then by arrival', () => {
    const { q, clock } = newQueue();
    q.add(makePod({ name: 'low', priority: 1 }));
    clock.advance(1);
    q.add(makePod({ name: 'high-late', priority: 10 }));
    clock.advance(1);
    q.add(makePod({ name: 'high-later', priority: 10 }));
    const order = [q.tryPop(), q.tryPop(), q.tryPop()].map((x) => x?.pod.metadata?.name);
    assert.deepEqual(order, ['high-late', 'high-later', 'low']);
    assert.equal(q.tryPop(), undefined);
  });

  test('backoff doubles from 1 s and caps at 10 s', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((a) => backoffDuration(a, 1000, 10_000)),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    );
  });

  test('an unschedulable pod moves only on an event its rejecting plugin registered', () => {
    const { q, clock } = newQueue();
    const pod = makePod({ name: 'p' });
    q.add(pod);
    const qp = q.tryPop()!;
    q.addUnschedulable(qp, q.schedulingCycle, ['TaintToleration']);
    assert.equal(q.whereIs(pod), 'unschedulable');
    assert.equal(q.moveAllToActiveOrBackoff(NODE_ADD), 0, 'NodeAdd is not a TaintToleration event');
    assert.equal(q.whereIs(pod), 'unschedulable');
    assert.equal(q.moveAllToActiveOrBackoff(event(EventResource.Node, ActionType.UpdateNodeTaint, 'x')), 1);
    assert.equal(q.whereIs(pod), 'backoff', 'still within its 1 s backoff');
    clock.advance(1000);
    q.flushBackoffCompleted();
    assert.equal(q.whereIs(pod), 'active');
  });

  test('a move request during the attempt sends the pod to backoff, not the unschedulable pool', () => {
    const { q } = newQueue();
    const pod = makePod({ name: 'p' });
    q.add(pod);
    const qp = q.tryPop()!;
    const cycle = q.schedulingCycle;
    q.moveAllToActiveOrBackoff(NODE_ADD);
    q.addUnschedulable(qp, cycle, ['TaintToleration']);
    assert.equal(q.whereIs(pod), 'backoff');
  });

  test('pods wait at most five minutes for an event', () => {
    const { q, clock } = newQueue();
    const pod = makePod({ name: 'p' });
    q.add(pod);
    q.addUnschedulable(q.tryPop()!, q.schedulingCycle, ['TaintToleration']);
    clock.advance(5 * 60 * 1000);
    q.flushUnschedulableLeftover();
    assert.equal(q.whereIs(pod), 'unschedulable');
    clock.advance(1);
    q.flushUnschedulableLeftover();
    assert.equal(q.whereIs(pod), 'active');
  });

  test('scheduling gates hold a pod until its update removes them', () => {
    const { q } = newQueue();
    const gated = makePod({ name: 'g', spec: { schedulingGates: [{ name: 'example.com/wait' }] } });
    q.add(gated);
    assert.equal(q.whereIs(gated), 'gated');
    assert.equal(q.moveAllToActiveOrBackoff(NODE_ADD), 0);
    assert.equal(q.tryPop(), undefined);
    const released = makePod({ name: 'g' });
    q.update(gated, released);
    assert.equal(q.whereIs(released), 'active');
    assert.equal(q.stats().gated, 0);
  });

  test('pop waits for a pod and returns undefined on close', async () => {
    const { q } = newQueue();
    const waiting = q.pop();
    q.add(makePod({ name: 'late' }));
    assert.equal((await waiting)?.pod.metadata?.name, 'late');
    const pending = q.pop();
    q.close();
    assert.equal(await pending, undefined);
  });

  test('deleted pods leave every sub-queue and the nominator', () => {
    const { q } = newQueue();
    const pod = makePod({ name: 'p', nominatedNodeName: 'n1' });
    q.add(pod);
    assert.equal(q.nominatedPodsForNode('n1').length, 1);
    q.delete(pod);
    assert.equal(q.whereIs(pod), undefined);
    assert.equal(q.nominatedPodsForNode('n1').length, 0);
  });
});
