import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { PODS, type ResourceClient } from '../../client/index.ts';
import { REPLICASETS, REPLICATION_CONTROLLERS } from '../common/resources.ts';
import { markPod, startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import { replicaSetControllerFactory, replicationControllerFactory } from './controller.ts';

const template = (app: string) => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});
const rsOf = (name: string, app: string, replicas: number, extra: KObject = {}) => ({
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app } }, template: template(app), ...extra },
});

describe('replicaset controller', () => {
  let h: WorkloadHarness;
  let pods: ResourceClient;
  let rss: ResourceClient;
  before(async () => {
    h = await startWorkloadHarness([replicaSetControllerFactory, replicationControllerFactory]);
    pods = h.client.resource(PODS, 'default');
    rss = h.client.resource(REPLICASETS, 'default');
  });
  after(() => h.stop());

  const podsOf = async (app: string) =>
    (await pods.list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);

  it('creates the pods with a controller ref and generated names, exactly once', async () => {
    const rs = await rss.create(rsOf('web', 'web', 3));
    const list = await h.eventually(async () => {
      const l = await podsOf('web');
      return l.length === 3 && l;
    });
    for (const p of list) {
      assert.match(p.metadata!.name!, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata!.ownerReferences, [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid: rs.metadata!.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    // No second round of creations once the cache catches up.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await podsOf('web')).length, 3);
    const st = await h.eventually(async () => {
      const cur = await rss.get('web');
      return (
        cur.status?.replicas === 3 && cur.status.observedGeneration === cur.metadata!.generation && cur.status
      );
    });
    assert.equal(st.fullyLabeledReplicas, 3);
    assert.equal(st.readyReplicas ?? 0, 0);
  });

  it('counts ready and available pods', async () => {
    for (const p of await podsOf('web')) await markPod(h.client, p);
    const st = await h.eventually(async () => {
      const cur = await rss.get('web');
      return cur.status?.availableReplicas === 3 && cur.status;
    });
    assert.equal(st.readyReplicas, 3);
  });

  it('scales down deleting not-ready pods first', async () => {
    const list = await podsOf('web');
    const notReady = list[1];
    await markPod(h.client, notReady, { ready: false });
    await rss.patch('web', 'merge', { spec: { replicas: 2 } });
    await h.eventually(async () => (await podsOf('web')).length === 2);
    const left = (await podsOf('web')).map((p) => p.metadata!.name);
    assert.ok(!left.includes(notReady.metadata!.name), 'the not-ready pod went first');
  });

  it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    await rss.create(rsOf('adopt', 'adopt', 1));
    const first = await h.eventually(async () => {
      const l = await podsOf('adopt');
      return l.length === 1 && l[0];
    });
    // An orphan that matches: adopted, and the RS is then over by one and deletes one.
    await pods.create({ metadata: { name: 'orphan', labels: { app: 'adopt' } }, spec: template('x').spec });
    await h.eventually(async () => (await podsOf('adopt')).length === 1);
    // Relabel the survivor: released, and a replacement is created.
    const survivor = (await podsOf('adopt'))[0];
    await pods.patch(survivor.metadata!.name!, 'merge', { metadata: { labels: { app: 'gone' } } });
    const released = await h.eventually(async () => {
      const p = await pods.get(survivor.metadata!.name!);
      return !(p.metadata?.ownerReferences ?? []).length && p;
    });
    assert.equal(released.metadata!.labels!.app, 'gone');
    await h.eventually(async () => {
      const l = await podsOf('adopt');
      return l.length === 1 && l[0].metadata!.name !== survivor.metadata!.name;
    });
    assert.ok(first);
  });

  it('records ReplicaFailure while pods cannot be created, and clears it once they can', async () => {
    // Admission rejects pods naming a PriorityClass that does not exist.
    const bad = template('broken') as KObject;
    bad.spec.priorityClassName = 'skiff-missing';
    await rss.create(rsOf('broken', 'broken', 2, { template: bad }));
    const cond = await h.eventually(async () =>
      ((await rss.get('broken')).status?.conditions ?? []).find((c: KObject) => c.type === 'ReplicaFailure'),
    );
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'FailedCreate');
    assert.match(cond.message, /no PriorityClass with name skiff-missing was found/);
    assert.equal((await podsOf('broken')).length, 0);
    await rss.patch('broken', 'json', [{ op: 'remove', path: '/spec/template/spec/priorityClassName' }]);
    await h.eventually(async () => (await podsOf('broken')).length === 2, 15_000);
    await h.eventually(async () => (await rss.get('broken')).status?.conditions === undefined);
  });

  it('counts a ready pod available only after minReadySeconds, and replaces a deleted pod', async () => {
    await rss.create(rsOf('slow', 'slow', 1, { minReadySeconds: 1 }));
    const [pod] = await h.eventually(async () => {
      const l = await podsOf('slow');
      return l.length === 1 && l;
    });
    await markPod(h.client, pod);
    const ready = await h.eventually(async () => {
      const st = (await rss.get('slow')).status;
      return st?.readyReplicas === 1 && st;
    });
    assert.equal(ready.availableReplicas ?? 0, 0, 'not yet available');
    await h.eventually(async () => (await rss.get('slow')).status?.availableReplicas === 1, 5000);
    await pods.delete(pod.metadata!.name!, { gracePeriodSeconds: 0 });
    await h.eventually(async () => {
      const l = await podsOf('slow');
      return l.length === 1 && l[0].metadata!.name !== pod.metadata!.name;
    });
  });

  it('runs ReplicationControllers with a map selector', async () => {
    const rcs = h.client.resource(REPLICATION_CONTROLLERS, 'default');
    await rcs.create({
      metadata: { name: 'rc' },
      spec: { replicas: 2, selector: { app: 'rc' }, template: template('rc') },
    });
    const list = await h.eventually(async () => {
      const l = await podsOf('rc');
      return l.length === 2 && l;
    });
    assert.equal(list[0].metadata!.ownerReferences![0].kind, 'ReplicationController');
    await h.eventually(async () => (await rcs.get('rc')).status?.replicas === 2);
  });
});
