import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evictionDelayMs, reconcileTaints, type Taint } from './taints.ts';

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const other: Taint = { key: 'example.com/drain', value: 'yes', effect: 'NoExecute' };
const pod = (tolerations?: object[]) => ({ spec: { tolerations } });

describe('evictionDelayMs', () => {
  it('uses the smallest matching tolerationSeconds, the default without a toleration, 0 when untolerated', () => {
    assert.equal(evictionDelayMs(pod(), [unreachable], 300_000), 300_000);
    assert.equal(
      evictionDelayMs(
        pod([
          { key: unreachable.key, operator: 'Exists', tolerationSeconds: 30 },
          { operator: 'Exists', tolerationSeconds: 5 },
        ]),
        [unreachable],
        1,
      ),
      5_000,
    );
    assert.equal(evictionDelayMs(pod([{ operator: 'Exists' }]), [unreachable, other], 1), undefined);
    assert.equal(evictionDelayMs(pod(), [other], 300_000), 0);
    assert.equal(evictionDelayMs(pod([{ key: other.key, value: 'no', effect: 'NoExecute' }]), [other], 1), 0);
    assert.equal(evictionDelayMs(pod([{ key: other.key, value: 'yes' }]), [other], 1), undefined);
  });
});

describe('reconcileTaints', () => {
  it('adds the taints for the readiness, swaps them, and removes only its own', () => {
    const mine = reconcileTaints([{ key: 'x', effect: 'NoSchedule' }], 'Unknown', 'T');
    assert.deepEqual(mine, [
      { key: 'x', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'T' },
    ]);
    assert.equal(reconcileTaints(mine!, 'Unknown', 'T2'), undefined);
    assert.deepEqual(
      reconcileTaints(mine!, 'False', 'T3')?.map((t) => `${t.key}:${t.effect}`),
      ['x:NoSchedule', 'node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute'],
    );
    assert.deepEqual(reconcileTaints(mine!, 'True', 'T4'), [{ key: 'x', effect: 'NoSchedule' }]);
    assert.equal(reconcileTaints([], 'True', 'T'), undefined);
  });
});
