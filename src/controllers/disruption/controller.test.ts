import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../api/errors.ts';
import { PODS, type ResourceClient } from '../../client/index.ts';
import { startHarness, type TestHarness } from '../namespace/test-context.ts';
import { disruptionControllerFactory, PDBS } from './controller.ts';

describe('disruption controller and the eviction subresource', () => {
  let h: TestHarness;
  let pods: ResourceClient;
  before(async () => {
    h = await startHarness(disruptionControllerFactory);
    pods = h.client.resource(PODS, 'default');
  });
  after(() => h.stop());

  it('keeps the budget current; evictions beyond it get 429 with a DisruptionBudget cause', async () => {
    for (const name of ['a', 'b']) {
      const p = await pods.create({
        metadata: { name, labels: { app: 'db' } },
        spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
      });
      await pods.updateStatus({
        ...p,
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      });
    }
    const pdbs = h.client.resource(PDBS, 'default');
    await pdbs.create({
      metadata: { name: 'db' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } },
    });
    const st = await h.eventually(async () => {
      const b = await pdbs.get('db');
      return b.status?.observedGeneration === 1 && b.status.currentHealthy === 2 ? b.status : undefined;
    });
    assert.equal(st.disruptionsAllowed, 0);
    assert.equal(st.expectedPods, 2);

    const err = await pods.evict('a').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 429);
    assert.equal(err.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(err.details?.causes, [
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget db needs 2 healthy pods and has 2 currently',
      },
    ]);

    const b = await pdbs.get('db');
    await pdbs.update({ ...b, spec: { ...b.spec, minAvailable: 1 } });
    await h.eventually(async () => (await pdbs.get('db')).status?.disruptionsAllowed === 1);
    await pods.evict('a');
    assert.ok((await pods.get('a')).metadata?.deletionTimestamp, 'the evicted pod is terminating');
    const after = await pdbs.get('db');
    assert.equal(after.status.disruptionsAllowed, 0);
    await assert.rejects(pods.evict('b'), (e: ApiError) => e.code === 429);
  });
});
