import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Entry } from './entry.ts';
import { type CacheEventType, type CacheWatcher, ResourceCache } from './resource-cache.ts';

const entry = (name: string, rv: number, labels: Record<string, string> = {}) =>
  new Entry(
    `/registry/core/configmaps/ns/${name}`,
    { metadata: { name, namespace: 'ns', labels, resourceVersion: String(rv) } },
    rv,
  );

function recorder(match: (e: Entry) => boolean = () => true) {
  const seen: string[] = [];
  let terminated = '';
  const w: CacheWatcher = {
    matches: match,
    send: (t: CacheEventType, e: Entry) => seen.push(`${t} ${e.name}@${e.rv}`),
    terminate: (r) => {
      terminated = r;
    },
  };
  return { w, seen, terminated: () => terminated };
}

test('watch from a revision replays exactly the events after it, then goes live', () => {
  const c = new ResourceCache('core/configmaps', '/registry/core/configmaps/');
  c.reset([], 10);
  c.apply('ADDED', entry('a', 11), 11);
  c.apply('MODIFIED', entry('a', 12), 12);
  c.apply('ADDED', entry('b', 13), 13);
  const r = recorder();
  assert.equal(c.addWatcher(r.w, 11), true);
  c.apply('DELETED', entry('b', 14), 14);
  assert.deepEqual(r.seen, ['MODIFIED a@12', 'ADDED b@13', 'DELETED b@14']);
});

test('watch without a revision starts with synthetic ADDED events in key order', () => {
  const c = new ResourceCache('core/configmaps', '/registry/core/configmaps/');
  c.reset([entry('z', 5), entry('a', 6)], 6);
  const r = recorder();
  c.addWatcher(r.w, undefined);
  assert.deepEqual(r.seen, ['ADDED a@6', 'ADDED z@5']);
});

test('a revision older than the history is refused (the caller answers 410)', () => {
  const c = new ResourceCache('core/configmaps', '/registry/core/configmaps/', 2);
  c.reset([], 100);
  c.apply('ADDED', entry('a', 101), 101);
  c.apply('ADDED', entry('b', 102), 102);
  c.apply('ADDED', entry('c', 103), 103);
  assert.equal(c.oldestRv, 101);
  assert.equal(c.addWatcher(recorder().w, 100), false);
  assert.equal(c.addWatcher(recorder().w, 101), true);
});

test('filters translate events like upstream: leaving the selector is DELETED, entering is ADDED', () => {
  const c = new ResourceCache('core/configmaps', '/registry/core/configmaps/');
  c.reset([], 1);
  const r = recorder((e) => e.obj.metadata?.labels?.app === 'web');
  c.addWatcher(r.w, 1);
  c.apply('ADDED', entry('a', 2, { app: 'db' }), 2);
  c.apply('MODIFIED', entry('a', 3, { app: 'web' }), 3);
  c.apply('MODIFIED', entry('a', 4, { app: 'web', v: '2' }), 4);
  c.apply('MODIFIED', entry('a', 5, { app: 'db' }), 5);
  c.apply('DELETED', entry('a', 6, { app: 'db' }), 6);
  assert.deepEqual(r.seen, ['ADDED a@3', 'MODIFIED a@4', 'DELETED a@5']);
});

test('reset with a reason terminates watchers; sortedKeys follows membership', () => {
  const c = new ResourceCache('core/configmaps', '/registry/core/configmaps/');
  c.reset([entry('b', 1)], 1);
  const r = recorder();
  c.addWatcher(r.w, 1);
  c.apply('ADDED', entry('a', 2), 2);
  assert.deepEqual(
    c.sortedKeys().map((k) => k.split('/').pop()),
    ['a', 'b'],
  );
  c.reset([], 3, 'storage watch lost');
  assert.equal(r.terminated(), 'storage watch lost');
  assert.equal(c.watcherCount, 0);
  assert.deepEqual(c.sortedKeys(), []);
});
