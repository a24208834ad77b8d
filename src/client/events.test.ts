import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KObject } from '../api/object.ts';
import { FakeClock } from '../util/clock.ts';
import { AGGREGATE_MAX_EVENTS, COMBINED_PREFIX, EventRecorder, SPAM_BURST } from './events.ts';
import { CONFIGMAPS, EVENTS } from './resource.ts';
import { RestClient } from './rest.ts';
import { startTestCluster, type TestCluster } from './testing/test-cluster.ts';
import type { Transport } from './transport.ts';

let cluster: TestCluster;
let client: RestClient;
let subject: KObject;

before(async () => {
  cluster = await startTestCluster();
  client = cluster.loopback();
  subject = await client.resource(CONFIGMAPS, 'default').create({ metadata: { name: 'subject' } });
});

after(async () => {
  await cluster.stop();
});

const eventsFor = async (name: string): Promise<KObject[]> =>
  (await client.resource(EVENTS, 'default').list({ fieldSelector: { 'involvedObject.name': name } })).items;

describe('EventRecorder', () => {
  test('writes a core/v1 Event like upstream, then counts repeats on the same Event', async () => {
    const clock = new FakeClock(Date.parse('2026-03-01T10:00:00Z'));
    const rec = new EventRecorder(client, { component: 'skiff-test-controller', host: 'skiff-host', clock });
    rec.event(subject, 'Normal', 'Synced', 'synced successfully');
    await rec.flush();
    clock.advance(5000);
    rec.event(subject, 'Normal', 'Synced', 'synced successfully');
    rec.event(subject, 'Normal', 'Synced', 'synced successfully');
    await rec.flush();

    const [ev, ...rest] = await eventsFor('subject');
    assert.equal(rest.length, 0, 'repeats aggregate into one Event');
    assert.equal(ev.count, 3);
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.reason, 'Synced');
    assert.equal(ev.message, 'synced successfully');
    assert.equal(ev.firstTimestamp, '2026-03-01T10:00:00Z');
    assert.equal(ev.lastTimestamp, '2026-03-01T10:00:05Z');
    assert.deepEqual(ev.source, { component: 'skiff-test-controller', host: 'skiff-host' });
    assert.equal(ev.reportingComponent, 'skiff-test-controller');
    assert.equal(ev.reportingInstance, 'skiff-host');
    assert.deepEqual(
      {
        kind: ev.involvedObject.kind,
        name: ev.involvedObject.name,
        namespace: ev.involvedObject.namespace,
        uid: ev.involvedObject.uid,
        apiVersion: ev.involvedObject.apiVersion,
      },
      {
        kind: 'ConfigMap',
        name: 'subject',
        namespace: 'default',
        uid: subject.metadata?.uid,
        apiVersion: 'v1',
      },
    );
    assert.match(ev.metadata?.name ?? '', /^subject\.[0-9a-f]+$/);
    await rec.dispose();
  });

  test('a different reason or message is a different Event; many messages for one reason combine', async () => {
    const obj = await client.resource(CONFIGMAPS, 'default').create({ metadata: { name: 'noisy' } });
    const rec = new EventRecorder(client, { component: 'skiff-test', host: 'h' });
    rec.event(obj, 'Warning', 'Failed', 'message 0');
    rec.event(obj, 'Normal', 'Other', 'message 0');
    for (let i = 1; i < AGGREGATE_MAX_EVENTS + 2; i++) rec.event(obj, 'Warning', 'Failed', `message ${i}`);
    await rec.flush();
    const events = await eventsFor('noisy');
    const failed = events.filter((e) => e.reason === 'Failed');
    const combined = failed.filter((e) => e.message.startsWith(COMBINED_PREFIX));
    assert.equal(failed.length - combined.length, AGGREGATE_MAX_EVENTS - 1, 'the first nine stand alone');
    assert.equal(combined.length, 1, 'the rest collapse into one combined event');
    assert.equal(combined[0].count, 3);
    assert.equal(combined[0].message, `${COMBINED_PREFIX}message ${AGGREGATE_MAX_EVENTS + 1}`);
    assert.equal(events.filter((e) => e.reason === 'Other').length, 1);
    await rec.dispose();
  });

  test('event() never blocks, even when the server never answers; past the queue bound events drop', () => {
    const hung: Transport = { request: () => new Promise(() => {}), close: () => {} };
    const rec = new EventRecorder(new RestClient({ transport: hung }), {
      component: 'skiff-test',
      host: 'h',
      maxQueued: 40,
    });
    for (let i = 0; i < 50; i++) rec.event(subject, 'Normal', 'Tick', `n${i}`);
    // One event is being written (forever), 40 wait: the other 9 are dropped.
    assert.equal(rec.dropped, 9);
  });

  test('the spam filter lets a burst of one repeated event through, then drops the rest', async () => {
    const obj = await client.resource(CONFIGMAPS, 'default').create({ metadata: { name: 'spam' } });
    const rec = new EventRecorder(client, { component: 'skiff-test', host: 'h' });
    for (let i = 0; i < SPAM_BURST + 5; i++) rec.event(obj, 'Normal', 'Tick', 'same');
    await rec.flush();
    const [ev] = await eventsFor('spam');
    assert.equal(ev.count, SPAM_BURST);
    await rec.dispose();
    rec.event(obj, 'Normal', 'Tick', 'after dispose');
    assert.equal(rec.dropped, 1, 'a disposed recorder drops');
  });

  test('forget() drops what was kept about an object, after the events queued before it', async () => {
    const obj = await client.resource(CONFIGMAPS, 'default').create({ metadata: { name: 'gone' } });
    const other = await client.resource(CONFIGMAPS, 'default').create({ metadata: { name: 'stays' } });
    const rec = new EventRecorder(client, { component: 'skiff-test', host: 'h' });
    for (let i = 0; i < SPAM_BURST + 5; i++) {
      rec.event(obj, 'Normal', 'Tick', 'same');
      rec.event(other, 'Normal', 'Tick', 'same');
    }
    rec.forget(obj);
    // After forget, a repeat is a fresh Event (no dedup entry) and passes a fresh spam filter;
    // the other object's state is untouched, so its repeat is still filtered.
    rec.event(obj, 'Normal', 'Tick', 'same');
    rec.event(other, 'Normal', 'Tick', 'same');
    await rec.flush();
    const gone = await eventsFor('gone');
    assert.deepEqual(gone.map((e) => e.count).sort(), [1, SPAM_BURST]);
    const stays = await eventsFor('stays');
    assert.deepEqual(
      stays.map((e) => e.count),
      [SPAM_BURST],
    );
    await rec.dispose();
  });

  test('forget() on an idle recorder leaves it recording', async () => {
    const obj = await client.resource(CONFIGMAPS, 'default').create({ metadata: { name: 'idle-forget' } });
    const rec = new EventRecorder(client, { component: 'skiff-test', host: 'h' });
    rec.forget(obj);
    rec.event(obj, 'Normal', 'After', 'recorded after forget');
    await rec.flush();
    assert.deepEqual(
      (await eventsFor('idle-forget')).map((e) => e.reason),
      ['After'],
    );
    await rec.dispose();
  });

  test('an Event that disappeared (TTL) is created anew on the next repeat', async () => {
    const obj = await client.resource(CONFIGMAPS, 'default').create({ metadata: { name: 'expiring' } });
    const rec = new EventRecorder(client, { component: 'skiff-test', host: 'h' });
    rec.event(obj, 'Normal', 'Again', 'x');
    await rec.flush();
    const [first] = await eventsFor('expiring');
    await client.resource(EVENTS, 'default').delete(first.metadata?.name ?? '');
    rec.event(obj, 'Normal', 'Again', 'x');
    await rec.flush();
    const now = await eventsFor('expiring');
    assert.equal(now.length, 1);
    assert.notEqual(now[0].metadata?.name, first.metadata?.name);
    assert.equal(now[0].count, 1);
    await rec.dispose();
  });
});
