import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { computeBudget, scaled } from './budget.ts';

const NOW = Date.parse('2030-01-01T00:10:00Z');
const pod = (name: string, ready = true, owner = 'rs-1'): KObject => ({
  metadata: {
    name,
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true },
    ],
  },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pdb = (spec: KObject, status?: KObject): KObject => ({
  metadata: { name: 'b', generation: 3 },
  spec,
  status,
});
const scale = (replicas: number) => (p: KObject) => ({ uid: p.metadata!.ownerReferences![0].uid, replicas });

describe('computeBudget', () => {
  it('scales percentages up', () => {
    assert.equal(scaled('50%', 5, true), 3);
    assert.equal(scaled('50%', 5, false), 2);
    assert.equal(scaled(2, 5, true), 2);
  });

  it('minAvailable as a number counts the selected pods', () => {
    const { status } = computeBudget(
      pdb({ minAvailable: 2 }),
      [pod('a'), pod('b'), pod('c', false)],
      scale(9),
      NOW,
      'T',
    );
    assert.deepEqual(
      {
        disruptionsAllowed: status.disruptionsAllowed,
        currentHealthy: status.currentHealthy,
        desiredHealthy: status.desiredHealthy,
        expectedPods: status.expectedPods,
        observedGeneration: status.observedGeneration,
      },
      { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, observedGeneration: 3 },
    );
    assert.deepEqual(status.conditions, [
      {
        type: 'DisruptionAllowed',
        status: 'False',
        observedGeneration: 3,
        lastTransitionTime: 'T',
        reason: 'InsufficientPods',
        message: '',
      },
    ]);
  });

  it('maxUnavailable uses the controllers scale', () => {
    const { status } = computeBudget(
      pdb({ maxUnavailable: '25%' }),
      [pod('a'), pod('b'), pod('c')],
      scale(4),
      NOW,
      'T',
    );
    assert.equal(status.expectedPods, 4);
    assert.equal(status.desiredHealthy, 3);
    assert.equal(status.disruptionsAllowed, 0);
    const more = computeBudget(
      pdb({ maxUnavailable: 1 }),
      [pod('a'), pod('b'), pod('c')],
      scale(3),
      NOW,
      'T',
    ).status;
    assert.equal(more.disruptionsAllowed, 1);
    assert.equal(more.conditions[0].reason, 'SufficientPods');
  });

  it('keeps recent disruptedPods out of the healthy count and drops expired ones', () => {
    const { status, recheckAtMs } = computeBudget(
      pdb({ minAvailable: 1 }, { disruptedPods: { a: '2030-01-01T00:09:30Z', b: '2030-01-01T00:01:00Z' } }),
      [pod('a'), pod('b'), pod('c')],
      scale(3),
      NOW,
      'T',
    );
    assert.deepEqual(status.disruptedPods, { a: '2030-01-01T00:09:30Z' });
    assert.equal(status.currentHealthy, 2);
    assert.equal(recheckAtMs, Date.parse('2030-01-01T00:11:30Z'));
  });

  it('fails safe when a controller cannot be found', () => {
    const { status } = computeBudget(
      pdb({ maxUnavailable: 1 }),
      [pod('a')],
      () => {
        throw new Error('found no controllers for pod "a"');
      },
      NOW,
      'T',
    );
    assert.equal(status.disruptionsAllowed, 0);
    assert.equal(status.conditions[0].reason, 'SyncFailed');
  });
});
