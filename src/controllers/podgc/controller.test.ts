import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isNotFound, NODES, PODS, type ResourceClient } from '../../client/index.ts';
import { startHarness, type TestHarness } from '../namespace/test-context.ts';
import { PodGcController } from './controller.ts';

const spec = { containers: [{ name: 'c', image: 'busybox' }] };

describe('pod garbage collector', () => {
  let h: TestHarness;
  let pods: ResourceClient;
  before(async () => {
    h = await startHarness((ctx) => new PodGcController(ctx, { gcCheckPeriodMs: 50, quarantineMs: 200 }), {
      options: { terminatedPodGcThreshold: 1 },
    });
    pods = h.client.resource(PODS, 'default');
  });
  after(() => h.stop());

  const exists = (name: string) =>
    pods.get(name).then(
      () => true,
      (err) => (isNotFound(err) ? false : Promise.reject(err)),
    );

  it('deletes the oldest terminated pods above the threshold', async () => {
    for (const name of ['t-a', 't-b', 't-c']) {
      const p = await pods.create({ metadata: { name }, spec });
      await pods.updateStatus({ ...p, status: { phase: 'Succeeded' } });
    }
    await h.eventually(async () => !(await exists('t-a')) && !(await exists('t-b')));
    assert.equal(await exists('t-c'), true);
  });

  it('removes pods bound to a node that is gone, after the quarantine, and keeps those on live nodes', async () => {
    await h.client.resource(NODES).create({ metadata: { name: 'skiff-live' } });
    await pods.create({ metadata: { name: 'on-live' }, spec: { ...spec, nodeName: 'skiff-live' } });
    const started = Date.now();
    await pods.create({ metadata: { name: 'on-ghost' }, spec: { ...spec, nodeName: 'skiff-ghost' } });
    await h.eventually(async () => !(await exists('on-ghost')));
    assert.ok(Date.now() - started >= 200, 'waited for the quarantine');
    assert.equal(await exists('on-live'), true);
  });
});
