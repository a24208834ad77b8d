// The controller idiom end to end on a real API server: a shared informer per resource, handlers
// that enqueue keys, a workqueue with several workers, and a level-triggered reconcile that reads
// the lister and writes through the API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KObject } from '../api/object.ts';
import { runWorkers, WorkQueue } from '../util/workqueue.ts';
import { fieldIndexFunc, objectKey, splitKey } from './indexer.ts';
import { DeletedFinalStateUnknown } from './informer.ts';
import { CONFIGMAPS, PODS } from './resource.ts';
import type { RestClient } from './rest.ts';
import { SharedInformerFactory } from './shared-informer-factory.ts';
import { startTestCluster, type TestCluster } from './testing/test-cluster.ts';

let cluster: TestCluster;
let client: RestClient;

before(async () => {
  cluster = await startTestCluster(['default', 'other']);
  client = cluster.loopback();
});

after(async () => {
  await cluster.stop();
});

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SharedInformerFactory', () => {
  test('one informer per resource, namespace and selector; custom indexes are merged', async () => {
    const f = new SharedInformerFactory(client);
    const a = f.informerFor(PODS);
    const b = f.informerFor(PODS, { indexers: { byNode: fieldIndexFunc('spec.nodeName') } });
    assert.equal(a, b);
    assert.equal(a.indexer.hasIndex('byNode'), true);
    assert.equal(f.informerFor(PODS, { indexers: { byNode: fieldIndexFunc('spec.nodeName') } }), a);
    assert.notEqual(f.informerFor(PODS, { namespace: 'other' }), a);
    assert.notEqual(f.informerFor(PODS, { labelSelector: { app: 'x' } }), a);
    assert.equal(
      f.informerFor(PODS, { labelSelector: 'app=x' }),
      f.informerFor(PODS, { labelSelector: { app: 'x' } }),
    );

    await client.resource(PODS, 'other').create({
      metadata: { name: 'p1' },
      spec: { nodeName: 'skiff-n1', containers: [{ name: 'c', image: 'busybox' }] },
    });
    f.start();
    assert.equal(await f.waitForCacheSync(), true);
    assert.deepEqual(
      a.lister.byIndex('byNode', 'skiff-n1').map((p) => objectKey(p)),
      ['other/p1'],
    );
    assert.equal(f.informerFor(PODS, { namespace: 'other' }).lister.list().length, 1);
    const late = f.informerFor(CONFIGMAPS);
    assert.equal(late.started, true, 'informers requested after start() start at once');
    await f.dispose();
    assert.throws(() => f.informerFor(PODS), /disposed/);
  });

  test('informer → handlers enqueue keys → workers reconcile each key alone and converge', async () => {
    // The "controller": every ConfigMap labelled src=1 gets a mirror ConfigMap with its data.
    const f = new SharedInformerFactory(client);
    const cms = client.resource(CONFIGMAPS, 'default');
    const sources = f.informerFor(CONFIGMAPS, { namespace: 'default', labelSelector: { src: '1' } });
    const queue = new WorkQueue<string>();
    const enqueue = (o: KObject | DeletedFinalStateUnknown) =>
      queue.add(o instanceof DeletedFinalStateUnknown ? o.key : objectKey(o));
    sources.addEventHandler({ onAdd: enqueue, onUpdate: (_old, n) => enqueue(n), onDelete: enqueue });

    const running = new Set<string>();
    let overlaps = 0;
    let runs = 0;
    const reconcile = async (key: string): Promise<void> => {
      if (running.has(key)) overlaps++;
      running.add(key);
      runs++;
      try {
        const { namespace, name } = splitKey(key);
        const src = sources.lister.namespace(namespace).get(name);
        await new Promise((r) => setTimeout(r, 2)); // give a second worker the chance to collide
        const mirror = `mirror-${name}`;
        if (!src) {
          await cms.delete(mirror).catch(() => undefined);
          return;
        }
        const want = { metadata: { name: mirror, labels: { mirror: '1' } }, data: src.data ?? {} };
        await cms.apply(want, { fieldManager: 'skiff-mirror', force: true });
      } finally {
        running.delete(key);
      }
    };
    f.start();
    await f.waitForCacheSync();
    const workers = runWorkers(queue, 3, reconcile);

    for (let i = 0; i < 4; i++)
      await cms.create({ metadata: { name: `s${i}`, labels: { src: '1' } }, data: { v: '0' } });
    // A burst of updates to one key while it is being reconciled.
    for (let v = 1; v <= 10; v++) await cms.patch('s0', 'merge', { data: { v: String(v) } });
    await cms.delete('s3');

    const mirrors = async () =>
      (await cms.list({ labelSelector: { mirror: '1' } })).items
        .map((m) => `${m.metadata?.name}=${m.data?.v}`)
        .sort();
    await until(
      async () =>
        JSON.stringify(await mirrors()) === JSON.stringify(['mirror-s0=10', 'mirror-s1=0', 'mirror-s2=0']),
      'the mirrors to converge',
    );
    assert.equal(overlaps, 0, 'a key was reconciled by two workers at once');
    assert.ok(runs >= 4, 'every source was reconciled');
    queue.shutDown();
    await workers;
    await f.dispose();
  });
});
