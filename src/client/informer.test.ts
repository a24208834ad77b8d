// Informers against a real in-process API server (watch drops, 410 re-lists, paging, freezing),
// plus the paths a real server does not produce on demand, through a scripted ListerWatcher.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ApiError, gone } from '../api/errors.ts';
import type { KObject } from '../api/object.ts';
import { FakeClock } from '../util/clock.ts';
import {
  DeletedFinalStateUnknown,
  type EventHandler,
  type ListerWatcher,
  SharedInformer,
  stripManagedFields,
} from './informer.ts';
import { loopbackTransport } from './loopback-transport.ts';
import { CONFIGMAPS } from './resource.ts';
import type { ResourceClient } from './resource-client.ts';
import { ControlledTransport } from './testing/controlled-transport.ts';
import { startTestCluster, type TestCluster } from './testing/test-cluster.ts';
import { Watch } from './watch.ts';

const FAST_BACKOFF = { initialMs: 5, maxMs: 20, jitter: 0 };

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Records handler calls as readable lines. */
function recorder(): { events: string[]; tombstones: DeletedFinalStateUnknown[]; handler: EventHandler } {
  const events: string[] = [];
  const tombstones: DeletedFinalStateUnknown[] = [];
  return {
    events,
    tombstones,
    handler: {
      onAdd: (o, initial) => events.push(`add ${o.metadata?.name}${initial ? ' initial' : ''}`),
      onUpdate: (_old, o) => events.push(`update ${o.metadata?.name}`),
      onDelete: (o) => {
        if (o instanceof DeletedFinalStateUnknown) {
          tombstones.push(o);
          events.push(`tombstone ${o.key}`);
        } else events.push(`delete ${o.metadata?.name}`);
      },
    },
  };
}

const count = (events: string[], line: string): number => events.filter((e) => e === line).length;

describe('SharedInformer against a real API server', () => {
  let cluster: TestCluster;
  let transport: ControlledTransport;
  let cms: ResourceClient;
  const informers: SharedInformer[] = [];

  before(async () => {
    cluster = await startTestCluster();
    transport = new ControlledTransport(
      loopbackTransport({ handler: (req, res) => cluster.api.handle(req, res), bearerToken: cluster.token }),
    );
    cms = cluster.client(transport).resource(CONFIGMAPS, 'default');
  });

  after(async () => {
    transport.release();
    for (const i of informers) await i.dispose();
    await cluster.stop();
  });

  const informer = (label: string, extra: Partial<ConstructorParameters<typeof SharedInformer>[1]> = {}) => {
    const inf = new SharedInformer(cms, { labelSelector: { set: label }, backoff: FAST_BACKOFF, ...extra });
    informers.push(inf);
    return inf;
  };
  const make = (label: string, name: string, data: Record<string, string> = {}) =>
    cms.create({ metadata: { name, labels: { set: label } }, data });

  test('lists in pages, syncs, then follows the watch with the cache updated before handlers', async () => {
    for (let i = 1; i <= 5; i++) await make('paged', `paged-${i}`);
    const before = transport.lists('set%3Dpaged').length;
    const inf = informer('paged', { pageSize: 2 });
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    const staleReads: string[] = [];
    inf.addEventHandler({
      onUpdate: (_o, n) => {
        if (inf.lister.namespace('default').get(n.metadata!.name!) !== n) staleReads.push(n.metadata!.name!);
      },
    });
    inf.start();
    assert.equal(await inf.waitForSync(), true);
    assert.equal(inf.hasSynced(), true);
    const pages = transport.lists('set%3Dpaged').slice(before);
    assert.equal(pages.length, 3, `5 objects in pages of 2: ${pages.join(' | ')}`);
    assert.ok(pages.every((p) => p.includes('limit=2')));
    assert.ok(pages[1].includes('continue='));
    assert.deepEqual(
      rec.events.sort(),
      [1, 2, 3, 4, 5].map((i) => `add paged-${i} initial`),
    );
    assert.equal(inf.lister.list().length, 5);

    rec.events.length = 0;
    await make('paged', 'paged-6');
    await cms.patch('paged-1', 'merge', { data: { v: '2' } });
    await cms.delete('paged-2');
    await until(() => rec.events.length === 3, 'three live events');
    assert.deepEqual(rec.events, ['add paged-6', 'update paged-1', 'delete paged-2']);
    assert.deepEqual(staleReads, []);
    assert.equal(inf.lister.namespace('default').get('paged-1')?.data?.v, '2');
    assert.equal(inf.lister.namespace('default').get('paged-2'), undefined);
  });

  test('a dropped watch resumes from the last resourceVersion: no re-list, no duplicate ADD', async () => {
    await make('drop', 'drop-a');
    const inf = informer('drop');
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    inf.start();
    await inf.waitForSync();
    await make('drop', 'drop-b');
    await until(() => rec.events.includes('add drop-b'), 'drop-b');
    const rv = inf.lastSyncResourceVersion;
    const lists = transport.lists('set%3Ddrop').length;
    await until(() => transport.openWatches('set%3Ddrop') === 1, 'the watch to be open');
    const watches = transport.watchRequests('set%3Ddrop').length;

    transport.holdWatches();
    transport.cutWatches();
    await until(() => transport.watchRequests('set%3Ddrop').length > watches, 'the informer to re-watch');
    // While it is disconnected the world moves on.
    await make('drop', 'drop-c');
    await cms.patch('drop-a', 'merge', { data: { k: 'v' } });
    transport.release();
    await until(
      () => rec.events.includes('add drop-c') && rec.events.includes('update drop-a'),
      'missed events',
    );

    const resumed = transport.watchRequests('set%3Ddrop').at(-1)!;
    assert.ok(resumed.includes(`resourceVersion=${rv}&`), `resumed from ${rv}: ${resumed}`);
    assert.ok(resumed.includes('allowWatchBookmarks=true'));
    assert.equal(transport.lists('set%3Ddrop').length, lists, 'no re-list after a plain drop');
    for (const n of ['drop-a', 'drop-b', 'drop-c']) {
      assert.equal(
        count(rec.events, `add ${n}`) + count(rec.events, `add ${n} initial`),
        1,
        `${n} added once`,
      );
    }
  });

  test('a watch the server ends (timeoutSeconds) is re-established without a re-list', async () => {
    const inf = informer('timeout', { watchTimeoutSeconds: () => 1 });
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    inf.start();
    await inf.waitForSync();
    await until(() => transport.openWatches('set%3Dtimeout') === 1, 'the watch to be open');
    const watches = transport.watchRequests('set%3Dtimeout').length;
    await until(() => transport.watchRequests('set%3Dtimeout').length > watches, 'a second watch', 4000);
    await make('timeout', 'after-timeout');
    await until(() => rec.events.includes('add after-timeout'), 'event on the new watch');
    assert.equal(transport.lists('set%3Dtimeout').length, 1);
  });

  test('410 on resume: re-list, objects deleted meanwhile arrive as tombstones', async () => {
    for (const n of ['gone-a', 'gone-b', 'gone-c']) await make('gone', n, { n });
    const inf = informer('gone');
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    inf.start();
    await inf.waitForSync();
    const cachedB = inf.lister.namespace('default').get('gone-b');
    await until(() => transport.openWatches('set%3Dgone') === 1, 'the watch to be open');
    const watches = transport.watchRequests('set%3Dgone').length;
    rec.events.length = 0;

    transport.holdWatches();
    transport.cutWatches();
    await until(() => transport.watchRequests('set%3Dgone').length > watches, 'the informer to re-watch');
    await cms.delete('gone-b');
    await make('gone', 'gone-d');
    await cms.patch('gone-a', 'merge', { data: { n: 'a2' } });
    // The server loses the history the informer would resume from (as when its storage watch is
    // re-established): a watch from the old version now gets ERROR 410 Expired.
    const cache = cluster.api.caches.peek('core/configmaps')!;
    cache.reset([...cache.items.values()], cache.rv);
    transport.release();
    await until(() => rec.events.includes('tombstone default/gone-b'), 'the tombstone');

    assert.equal(transport.lists('set%3Dgone').length, 2, 'one re-list');
    assert.equal(rec.tombstones.length, 1);
    assert.equal(rec.tombstones[0].obj, cachedB, 'the tombstone carries the last known state');
    assert.deepEqual(
      rec.events.filter((e) => e.startsWith('add')),
      ['add gone-d'],
    );
    assert.ok(rec.events.includes('update gone-a'));
    assert.equal(inf.lister.namespace('default').get('gone-a')?.data?.n, 'a2');
    assert.deepEqual(
      inf.lister
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
      ['gone-a', 'gone-c', 'gone-d'],
    );
  });

  test('cached objects are frozen; late handlers get the cache replayed; dispose stops everything', async () => {
    await make('misc', 'misc-a', { k: 'v' });
    const watcherCount = () => cluster.api.caches.peek('core/configmaps')?.watcherCount ?? 0;
    const baseline = watcherCount();
    const inf = informer('misc');
    inf.start();
    await inf.waitForSync();
    await until(() => watcherCount() === baseline + 1, 'the server-side watcher');
    const obj = inf.lister.namespace('default').get('misc-a')!;
    assert.throws(() => {
      obj.data.k = 'changed';
    }, TypeError);
    assert.throws(() => {
      obj.metadata!.labels!.x = 'y';
    }, TypeError);

    const late = recorder();
    const reg = inf.addEventHandler(late.handler);
    assert.deepEqual(late.events, ['add misc-a initial']);
    await reg.dispose();
    await make('misc', 'misc-b');
    await until(() => inf.lister.list().length === 2, 'misc-b cached');
    assert.deepEqual(late.events, ['add misc-a initial'], 'a removed handler hears nothing more');

    const rec = recorder();
    inf.addEventHandler(rec.handler);
    await inf.dispose();
    await until(() => watcherCount() === baseline, 'the server-side watcher to go');
    rec.events.length = 0;
    await make('misc', 'misc-c');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(rec.events, []);
    inf.start();
    assert.equal(await inf.waitForSync(), true, 'stays synced after stop');
  });
});

/** A ListerWatcher whose lists and watches the test scripts. */
class ScriptedLW implements ListerWatcher {
  lists = 0;
  watches = 0;
  items: KObject[] = [];
  rv = '10';
  listError: unknown;
  watchError: unknown;
  streams: PassThrough[] = [];

  async list(): Promise<{ metadata: { resourceVersion: string }; items: KObject[] }> {
    this.lists++;
    if (this.listError) {
      const e = this.listError;
      this.listError = undefined;
      throw e;
    }
    return { metadata: { resourceVersion: this.rv }, items: this.items.map((i) => structuredClone(i)) };
  }

  async watch(): Promise<Watch> {
    this.watches++;
    if (this.watchError) {
      const e = this.watchError;
      this.watchError = undefined;
      throw e;
    }
    const body = new PassThrough();
    this.streams.push(body);
    return new Watch(body, new AbortController());
  }

  send(type: string, obj: KObject): void {
    this.streams.at(-1)!.write(`${JSON.stringify({ type, object: obj })}\n`);
  }
}

const cm = (name: string, rv: string): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: 'ns', name, resourceVersion: rv },
});

describe('SharedInformer with a scripted list/watch', () => {
  test('an HTTP 410 when opening the watch re-lists', async () => {
    const lw = new ScriptedLW();
    lw.items = [cm('a', '5')];
    const inf = new SharedInformer(lw, { backoff: FAST_BACKOFF });
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    inf.start();
    await inf.waitForSync();
    await until(() => lw.watches === 1, 'first watch');
    lw.watchError = gone('too old resource version');
    lw.items = [];
    lw.streams[0].end(); // the server closed the watch; the re-watch gets 410
    await until(() => lw.lists === 2, 're-list');
    await until(() => rec.events.includes('tombstone ns/a'), 'tombstone');
    await inf.dispose();
  });

  test('a failed list is retried after backoff; other watch errors re-list', async () => {
    const clock = new FakeClock();
    const lw = new ScriptedLW();
    lw.listError = new ApiError(403, 'Forbidden', 'no');
    const inf = new SharedInformer(lw, { clock, backoff: { initialMs: 100, jitter: 0 } });
    inf.start();
    await until(() => lw.lists === 1, 'first list');
    await new Promise((r) => setImmediate(r));
    assert.equal(inf.hasSynced(), false);
    clock.advance(99);
    await new Promise((r) => setImmediate(r));
    assert.equal(lw.lists, 1, 'waits for the backoff');
    clock.advance(1);
    await inf.waitForSync();
    assert.equal(lw.lists, 2);
    await until(() => lw.watches === 1, 'watch');
    lw.send('ERROR', {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'InternalError',
      code: 500,
      message: 'boom',
    });
    await new Promise((r) => setTimeout(r, 10));
    clock.advance(1000);
    await until(() => lw.lists === 3, 're-list after an ERROR event');
    await inf.dispose();
  });

  test('a watch closed at once without events is retried only after backoff, never in a busy loop', async () => {
    const clock = new FakeClock();
    const lw = new ScriptedLW();
    const inf = new SharedInformer(lw, { clock, backoff: { initialMs: 200, jitter: 0 } });
    inf.start();
    await inf.waitForSync();
    await until(() => lw.watches === 1, 'watch');
    lw.streams[0].end();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(lw.watches, 1, 'no immediate re-watch');
    clock.advance(200);
    await until(() => lw.watches === 2, 're-watch after the backoff');
    assert.equal(lw.lists, 1, 'resumed, not re-listed');
    await inf.dispose();
  });

  test('events update the cache; ADDED for a known key is an update; bookmarks move the version', async () => {
    const lw = new ScriptedLW();
    lw.items = [cm('a', '5')];
    const inf = new SharedInformer(lw);
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    inf.start();
    await inf.waitForSync();
    await until(() => lw.watches === 1, 'watch');
    lw.send('ADDED', cm('a', '11'));
    lw.send('MODIFIED', cm('b', '12'));
    lw.send('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '20' } });
    await until(() => inf.lastSyncResourceVersion === '20', 'bookmark');
    assert.deepEqual(rec.events, ['add a initial', 'update a', 'add b']);
    await inf.dispose();
  });

  test('resync hands every cached object to onUpdate; a throwing handler does not stop the others', async () => {
    const clock = new FakeClock();
    const lw = new ScriptedLW();
    lw.items = [cm('a', '5'), cm('b', '6')];
    const inf = new SharedInformer(lw, { clock, resyncMs: 1000 });
    const rec = recorder();
    inf.addEventHandler({
      onUpdate: () => {
        throw new Error('handler bug');
      },
    });
    inf.addEventHandler(rec.handler);
    inf.start();
    await inf.waitForSync();
    rec.events.length = 0;
    clock.advance(1000);
    assert.deepEqual(rec.events.sort(), ['update a', 'update b']);
    clock.advance(1000);
    assert.equal(rec.events.length, 4);
    await inf.dispose();
    clock.advance(5000);
    assert.equal(rec.events.length, 4, 'no resync after dispose');
    assert.equal(clock.pendingTimers, 0);
  });
});

describe('SharedInformer managedFields interning', () => {
  const managed = (name: string, field: string): KObject => ({
    ...cm(name, '5'),
    metadata: {
      namespace: 'ns',
      name,
      resourceVersion: '5',
      managedFields: [
        { manager: 'm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { [field]: {} } },
      ],
    },
  });
  const tree = (o: KObject | undefined): unknown =>
    (o?.metadata?.managedFields?.[0] as { fieldsV1?: unknown } | undefined)?.fieldsV1;

  test('equal managedFields trees of cached objects are one frozen tree; unfrozen caches are left alone', async () => {
    const lw = new ScriptedLW();
    lw.items = [managed('a', 'f:data'), managed('b', 'f:data'), managed('c', 'f:binaryData')];
    const inf = new SharedInformer(lw, { backoff: FAST_BACKOFF });
    inf.start();
    await inf.waitForSync();
    const get = (n: string) => inf.indexer.get(`ns/${n}`);
    assert.equal(tree(get('a')), tree(get('b')));
    assert.notEqual(tree(get('a')), tree(get('c')));
    assert.deepEqual(tree(get('c')), { 'f:binaryData': {} });
    assert.ok(Object.isFrozen(tree(get('a'))));
    // Objects arriving later on the watch share it too.
    lw.send('ADDED', managed('d', 'f:data'));
    await until(() => get('d') !== undefined, 'd cached');
    assert.equal(tree(get('d')), tree(get('a')));
    await inf.dispose();

    const lw2 = new ScriptedLW();
    lw2.items = [managed('a', 'f:data'), managed('b', 'f:data')];
    const open = new SharedInformer(lw2, { backoff: FAST_BACKOFF, freeze: false });
    open.start();
    await open.waitForSync();
    const oa = open.indexer.get('ns/a');
    const ob = open.indexer.get('ns/b');
    assert.notEqual(tree(oa), tree(ob), 'a mutable cache never shares');
    assert.ok(!Object.isFrozen(tree(oa)));
    await open.dispose();
  });

  test('a transform applies to listed and watched objects before they are cached and handed out', async () => {
    const lw = new ScriptedLW();
    lw.items = [managed('a', 'f:data')];
    const inf = new SharedInformer(lw, { backoff: FAST_BACKOFF, transform: stripManagedFields });
    const seen: KObject[] = [];
    inf.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_old, o) => seen.push(o) });
    inf.start();
    await inf.waitForSync();
    lw.send('ADDED', managed('b', 'f:data'));
    await until(() => inf.indexer.get('ns/b') !== undefined, 'b cached');
    for (const n of ['a', 'b']) {
      const o = inf.indexer.get(`ns/${n}`);
      assert.equal(o?.metadata?.managedFields, undefined);
      assert.equal(o?.metadata?.resourceVersion, '5', 'the rest of the metadata stays');
      assert.ok(Object.isFrozen(o));
    }
    assert.deepEqual(
      seen.map((o) => [o.metadata?.name, 'managedFields' in (o.metadata ?? {})]),
      [
        ['a', false],
        ['b', false],
      ],
    );
    await inf.dispose();
  });
});
