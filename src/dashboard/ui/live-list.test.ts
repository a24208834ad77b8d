import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Api, type KObj } from './api.ts';
import { applyEvent, runLiveList } from './live-list.ts';
import { WatchBudget } from './watch-budget.ts';

const pod = (name: string, rv: string, phase = 'Pending'): KObj => ({
  metadata: { name, namespace: 'default', resourceVersion: rv },
  status: { phase },
});

test('applyEvent adds, replaces and deletes by namespace/name', () => {
  const m = new Map<string, KObj>();
  assert.ok(applyEvent(m, { type: 'ADDED', object: pod('a', '1') }));
  assert.ok(applyEvent(m, { type: 'MODIFIED', object: pod('a', '2', 'Running') }));
  assert.equal(m.get('default/a')?.status.phase, 'Running');
  assert.ok(!applyEvent(m, { type: 'BOOKMARK', object: pod('a', '3') }));
  assert.ok(applyEvent(m, { type: 'DELETED', object: pod('a', '4') }));
  assert.ok(!applyEvent(m, { type: 'DELETED', object: pod('a', '4') }));
  assert.equal(m.size, 0);
});

/** A fake API: one list, then a watch streaming the given events, recording the URLs asked. */
function fakeApi(events: object[], urls: string[], headers: Headers[]) {
  return new Api('tok-1', '', async (input, init) => {
    const url = String(input);
    urls.push(url);
    headers.push(new Headers(init?.headers));
    if (!url.includes('watch=1')) {
      return new Response(
        JSON.stringify({ metadata: { resourceVersion: '10' }, items: [pod('b', '9'), pod('a', '8')] }),
      );
    }
    const body = events.map((e) => `${JSON.stringify(e)}\n`).join('');
    return new Response(body);
  });
}

test('lists, then watches from the list’s resourceVersion with the bearer token; every change re-renders', async () => {
  const urls: string[] = [];
  const headers: Headers[] = [];
  const api = fakeApi(
    [
      { type: 'MODIFIED', object: pod('a', '11', 'Running') },
      { type: 'DELETED', object: pod('b', '12') },
    ],
    urls,
    headers,
  );
  const ctl = new AbortController();
  const seen: string[][] = [];
  const budget = new WatchBudget(1);
  await runLiveList(api, '/api/v1/pods', ctl.signal, {
    onChange: (items) => seen.push(items.map((i) => `${i.metadata.name}:${i.status.phase}`)),
    budget,
    // After the watch ends the loop waits; stop there.
    delay: async () => ctl.abort(),
  });
  assert.deepEqual(seen, [['a:Pending', 'b:Pending'], ['a:Running', 'b:Pending'], ['a:Running']]);
  assert.equal(urls[0], '/api/v1/pods');
  assert.match(urls[1], /^\/api\/v1\/pods\?watch=1&allowWatchBookmarks=true&resourceVersion=10$/);
  assert.ok(headers.every((h) => h.get('Authorization') === 'Bearer tok-1'));
  assert.equal(budget.used, 0, 'the watch slot is given back');
});

test('without a free watch slot the list is polled, never watched', async () => {
  const urls: string[] = [];
  const api = fakeApi([], urls, []);
  const ctl = new AbortController();
  let polls = 0;
  await runLiveList(api, '/api/v1/pods', ctl.signal, {
    onChange: () => {},
    budget: new WatchBudget(0),
    delay: async () => {
      if (++polls === 3) ctl.abort();
    },
  });
  assert.equal(urls.length, 3);
  assert.ok(urls.every((u) => !u.includes('watch=1')));
});

test('a 410 watch ERROR re-lists quietly; other failures are reported', async () => {
  const urls: string[] = [];
  const errors: string[] = [];
  const api = fakeApi(
    [{ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } }],
    urls,
    [],
  );
  const ctl = new AbortController();
  let delays = 0;
  await runLiveList(api, '/api/v1/pods', ctl.signal, {
    onChange: () => {},
    onError: (e) => errors.push(e.message),
    budget: new WatchBudget(1),
    delay: async () => {
      if (++delays === 2) ctl.abort();
    },
  });
  assert.equal(errors.length, 0, errors.join());
  assert.equal(urls.filter((u) => !u.includes('watch=1')).length, 2, 'listed again after the 410');

  const failing = new Api(
    't',
    '',
    async () =>
      new Response(JSON.stringify({ kind: 'Status', message: 'pods is forbidden: no', code: 403 }), {
        status: 403,
      }),
  );
  const ctl2 = new AbortController();
  await runLiveList(failing, '/api/v1/pods', ctl2.signal, {
    onChange: () => {},
    onError: (e) => errors.push(e.message),
    delay: async () => ctl2.abort(),
  });
  assert.deepEqual(errors, ['pods is forbidden: no']);
});
