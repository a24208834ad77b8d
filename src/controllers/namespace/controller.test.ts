import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONFIGMAPS, NAMESPACES, PODS } from '../../client/index.ts';
import { namespaceControllerFactory } from './controller.ts';
import { createNamespace, startHarness, type TestHarness } from './test-context.ts';

describe('namespace controller', () => {
  let h: TestHarness;
  before(async () => {
    h = await startHarness(namespaceControllerFactory);
  });
  after(() => h.stop());

  it('deletes all content of a terminating namespace, then the namespace', async () => {
    await createNamespace(h.client, 'skiff-ns-a');
    await h.client.resource(CONFIGMAPS, 'skiff-ns-a').create({ metadata: { name: 'one' }, data: { a: 'b' } });
    await h.client.resource(PODS, 'skiff-ns-a').create({
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await h.client.resource(NAMESPACES).delete('skiff-ns-a');
    await h.eventually(async () => {
      try {
        await h.client.resource(NAMESPACES).get('skiff-ns-a');
        return false;
      } catch (err) {
        return (err as { reason?: string }).reason === 'NotFound';
      }
    });
    // The namespace is gone, and nothing of it remains (the list of a missing namespace is empty).
    assert.equal((await h.client.resource(CONFIGMAPS, 'skiff-ns-a').list()).items.length, 0);
    assert.equal((await h.client.resource(PODS, 'skiff-ns-a').list()).items.length, 0);
  });

  it('reports content held by a finalizer in the conditions and finishes once it is released', async () => {
    await createNamespace(h.client, 'skiff-ns-b');
    const cms = h.client.resource(CONFIGMAPS, 'skiff-ns-b');
    await cms.create({ metadata: { name: 'held', finalizers: ['example.com/x'] } });
    await h.client.resource(NAMESPACES).delete('skiff-ns-b');
    const ns = await h.eventually(async () => {
      const n = await h.client.resource(NAMESPACES).get('skiff-ns-b');
      const c = n.status?.conditions?.find(
        (x: { type: string }) => x.type === 'NamespaceFinalizersRemaining',
      );
      return c?.status === 'True' ? n : undefined;
    });
    assert.equal(ns.status.phase, 'Terminating');
    const byType = Object.fromEntries(ns.status.conditions.map((c: { type: string }) => [c.type, c]));
    assert.deepEqual(
      {
        reason: byType.NamespaceFinalizersRemaining.reason,
        message: byType.NamespaceFinalizersRemaining.message,
      },
      {
        reason: 'SomeFinalizersRemain',
        message:
          'Some content in the namespace has finalizers remaining: example.com/x in 1 resource instances',
      },
    );
    assert.equal(byType.NamespaceContentRemaining.status, 'True');
    assert.equal(
      byType.NamespaceContentRemaining.message,
      'Some resources are remaining: configmaps. has 1 resource instances',
    );
    assert.equal(byType.NamespaceDeletionDiscoveryFailure.status, 'False');
    assert.equal(byType.NamespaceDeletionDiscoveryFailure.reason, 'ResourcesDiscovered');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);

    const held = await cms.get('held');
    await cms.update({ ...held, metadata: { ...held.metadata, finalizers: [] } });
    await h.eventually(async () => {
      try {
        await h.client.resource(NAMESPACES).get('skiff-ns-b');
        return false;
      } catch (err) {
        return (err as { reason?: string }).reason === 'NotFound';
      }
    });
  });
});
