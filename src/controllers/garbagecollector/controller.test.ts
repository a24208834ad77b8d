import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findKind } from '../../api/kinds/index.ts';
import type { KObject } from '../../api/object.ts';
import { CONFIGMAPS, isNotFound, PODS, type ResourceClient, refOf } from '../../client/index.ts';
import { startHarness, type TestHarness } from '../namespace/test-context.ts';
import { type GarbageCollector, garbageCollectorFactory } from './controller.ts';

const REPLICASETS = refOf(findKind('apps', 'replicasets')!);

const podSpec = { containers: [{ name: 'c', image: 'busybox' }] };

describe('garbage collector', () => {
  let h: TestHarness;
  let rs: ResourceClient;
  let pods: ResourceClient;
  let gc: GarbageCollector;
  before(async () => {
    h = await startHarness(garbageCollectorFactory);
    rs = h.client.resource(REPLICASETS, 'default');
    pods = h.client.resource(PODS, 'default');
    gc = h.controller as GarbageCollector;
  });
  after(() => h.stop());

  const gone = async (c: ResourceClient, name: string) => {
    try {
      await c.get(name);
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  };

  async function ownerWithPods(name: string, n: number): Promise<{ owner: KObject; podNames: string[] }> {
    const owner = await rs.create({
      metadata: { name },
      spec: {
        replicas: n,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: podSpec },
      },
    });
    const ownerRef = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name,
      uid: owner.metadata!.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };
    const podNames: string[] = [];
    for (let i = 0; i < n; i++) {
      const p = await pods.create({
        metadata: { name: `${name}-${i}`, labels: { app: name }, ownerReferences: [ownerRef] },
        spec: podSpec,
      });
      podNames.push(p.metadata!.name!);
    }
    return { owner, podNames };
  }

  it('background: deletes dependents once their owner is gone', async () => {
    const { podNames } = await ownerWithPods('skiff-bg', 2);
    await rs.delete('skiff-bg', { propagationPolicy: 'Background' });
    for (const p of podNames) await h.eventually(() => gone(pods, p));
  });

  it('foreground: the owner stays until its blocking dependents are gone', async () => {
    const { owner, podNames } = await ownerWithPods('skiff-fg', 2);
    // A finalizer on one pod holds it, and with it the owner.
    const held = await pods.get(podNames[0]);
    await pods.update({ ...held, metadata: { ...held.metadata, finalizers: ['example.com/hold'] } });
    await rs.delete('skiff-fg', { propagationPolicy: 'Foreground' });
    await h.eventually(() => gone(pods, podNames[1]));
    const waiting = await rs.get('skiff-fg');
    assert.deepEqual(waiting.metadata?.finalizers, ['foregroundDeletion']);
    assert.ok(waiting.metadata?.deletionTimestamp);
    const p = await pods.get(podNames[0]);
    assert.ok(p.metadata?.deletionTimestamp, 'the held pod was deleted too');
    await pods.patch(podNames[0], 'merge', { metadata: { finalizers: null } });
    await h.eventually(() => gone(rs, 'skiff-fg'));
    assert.equal(gc.graph.get(owner.metadata!.uid!), undefined);
  });

  it('orphan: dependents lose their owner reference and stay', async () => {
    const { podNames } = await ownerWithPods('skiff-or', 2);
    await rs.delete('skiff-or', { propagationPolicy: 'Orphan' });
    await h.eventually(() => gone(rs, 'skiff-or'));
    for (const name of podNames) {
      const p = await pods.get(name);
      assert.equal(p.metadata?.ownerReferences, undefined);
      assert.equal(p.metadata?.deletionTimestamp, undefined);
    }
  });

  it('deletes an object whose owner never existed, keeps one with a live owner', async () => {
    const cms = h.client.resource(CONFIGMAPS, 'default');
    const live = await cms.create({ metadata: { name: 'skiff-live-owner' } });
    await cms.create({
      metadata: {
        name: 'skiff-dangling',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'skiff-nobody', uid: 'no-such-uid' }],
      },
    });
    await cms.create({
      metadata: {
        name: 'skiff-owned',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'skiff-live-owner', uid: live.metadata!.uid! },
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'skiff-nobody', uid: 'no-such-uid' },
        ],
      },
    });
    await h.eventually(() => gone(cms, 'skiff-dangling'));
    // The dangling reference is dropped, the live one kept.
    const owned = await h.eventually(async () => {
      const o = await cms.get('skiff-owned');
      return o.metadata?.ownerReferences?.length === 1 ? o : undefined;
    });
    assert.equal(owned.metadata?.ownerReferences?.[0].uid, live.metadata!.uid);
    await cms.delete('skiff-live-owner');
    await h.eventually(() => gone(cms, 'skiff-owned'));
  });

  it('leaves no graph entries behind for deleted objects', async () => {
    // Every pod, replica set and config map in the graph still exists, and every one that exists is in it.
    const live = [
      ...(await pods.list()).items,
      ...(await rs.list()).items,
      ...(await h.client.resource(CONFIGMAPS).list()).items,
    ];
    const liveUids = new Set(live.map((o) => o.metadata!.uid!));
    await h.eventually(() => {
      const tracked = ['pods', 'replicasets', 'configmaps'].flatMap((r) => gc.graph.nodesOf(r));
      return tracked.length === liveUids.size && tracked.every((n) => liveUids.has(n.uid));
    });
  });
});
