import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from './clock.ts';
import { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter } from './rate-limiter.ts';
import { runWorkers, WorkQueue } from './workqueue.ts';

/** Lets pending promise callbacks (get() resolutions) run. */
const flush = () => new Promise<void>((r) => setImmediate(r));

async function take<T>(q: WorkQueue<T>): Promise<T> {
  const r = await q.get();
  assert.equal(r.shutdown, false);
  return r.item as T;
}

describe('WorkQueue basics', () => {
  test('hands items out in order and dedupes items added while queued', async () => {
    const q = new WorkQueue<string>();
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    assert.equal(q.length, 3);
    assert.deepEqual([await take(q), await take(q), await take(q)], ['a', 'b', 'c']);
    assert.equal(q.length, 0);
    assert.equal(q.processing, 3);
  });

  test('an item being processed is not handed out again until done, then exactly once', async () => {
    const q = new WorkQueue<string>();
    q.add('k');
    assert.equal(await take(q), 'k');
    q.add('k');
    q.add('k');
    assert.equal(q.length, 0, 'held back while processing');
    let second: string | undefined;
    void q.get().then((r) => {
      second = r.item;
    });
    await flush();
    assert.equal(second, undefined, 'a second worker must not get the key being processed');
    q.done('k');
    await flush();
    assert.equal(second, 'k');
    q.done('k');
    assert.equal(q.length, 0, 'the two re-adds collapsed into one');
  });

  test('done for an item not re-added does not requeue it', async () => {
    const q = new WorkQueue<string>();
    q.add('x');
    await take(q);
    q.done('x');
    assert.equal(q.length, 0);
    q.done('x'); // unknown item: ignored
    assert.equal(q.length, 0);
  });

  test('a waiting get() is resolved by a later add', async () => {
    const q = new WorkQueue<number>();
    const p = q.get();
    q.add(7);
    assert.deepEqual(await p, { item: 7, shutdown: false });
  });
});

describe('WorkQueue shutdown', () => {
  test('shutDown drops new adds, drains queued items, then reports shutdown to every getter', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.shutDown();
    q.add('c');
    assert.equal(q.shuttingDown, true);
    assert.equal(await take(q), 'a');
    assert.equal(await take(q), 'b');
    assert.equal((await q.get()).shutdown, true);
  });

  test('getters blocked on an empty queue are released by shutDown', async () => {
    const q = new WorkQueue<string>();
    const results = [q.get(), q.get()];
    q.shutDown();
    for (const r of await Promise.all(results)) assert.equal(r.shutdown, true);
  });

  test('shutDownWithDrain resolves only after items in flight are done', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    await take(q);
    await take(q);
    let drained = false;
    const p = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    q.done('a');
    await flush();
    assert.equal(drained, false);
    q.done('b');
    await p;
    assert.equal(drained, true);
  });

  test('shutDown cancels delayed items and their timer', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('later', 1000);
    assert.equal(clock.pendingTimers, 1);
    q.shutDown();
    assert.equal(clock.pendingTimers, 0);
    clock.advance(2000);
    assert.equal(q.length, 0);
  });
});

describe('WorkQueue delays', () => {
  test('addAfter makes the item visible only once the delay has passed', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 100);
    q.addAfter('b', 50);
    q.addAfter('now', 0);
    assert.equal(q.length, 1);
    clock.advance(49);
    assert.equal(q.length, 1);
    clock.advance(1);
    assert.equal(q.length, 2);
    clock.advance(50);
    assert.equal(q.length, 3);
  });

  test('the earliest pending time for an item wins and the item is added once', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('k', 1000);
    q.addAfter('k', 10);
    q.addAfter('k', 500);
    clock.advance(10);
    assert.equal(q.length, 1);
    assert.equal(await take(q), 'k');
    q.done('k');
    clock.advance(2000);
    assert.equal(q.length, 0, 'the later requests were folded into the first');
  });

  test('addRateLimited backs off per item (5 ms doubling) and forget resets it', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const readyAfter = async (item: string): Promise<number> => {
      const start = clock.now();
      q.addRateLimited(item);
      let waited = 0;
      while (q.length === 0) {
        clock.advance(1);
        waited++;
        assert.ok(waited < 100_000, 'item never became ready');
      }
      q.done(await take(q));
      return clock.now() - start;
    };
    assert.equal(await readyAfter('x'), 5);
    assert.equal(await readyAfter('x'), 10);
    assert.equal(await readyAfter('x'), 20);
    assert.equal(q.numRequeues('x'), 3);
    assert.equal(await readyAfter('y'), 5, 'backoff is per item');
    q.forget('x');
    assert.equal(q.numRequeues('x'), 0);
    assert.equal(await readyAfter('x'), 5);
  });

  test('the overall token bucket spaces retries of different items', () => {
    const clock = new FakeClock();
    const limiter = new MaxOfRateLimiter<string>(
      new ItemExponentialRateLimiter<string>(1, 1000),
      new BucketRateLimiter<string>(2, 1, clock),
    );
    const q = new WorkQueue<string>({ clock, rateLimiter: limiter });
    q.addRateLimited('a'); // burst token: only the 1 ms item delay
    q.addRateLimited('b'); // bucket empty: 500 ms at 2 qps
    clock.advance(1);
    assert.equal(q.length, 1);
    clock.advance(498);
    assert.equal(q.length, 1);
    clock.advance(1);
    assert.equal(q.length, 2);
  });
});

describe('runWorkers', () => {
  test('never runs one key concurrently, and every add after a run starts leads to another run', async () => {
    const q = new WorkQueue<string>();
    const keys = ['a', 'b', 'c'];
    const active = new Set<string>();
    let overlaps = 0;
    let maxParallel = 0;
    const addedAt = new Map<string, number>();
    const lastStart = new Map<string, number>();
    let tick = 0;
    const workers = runWorkers(q, 4, async (key) => {
      if (active.has(key)) overlaps++;
      active.add(key);
      maxParallel = Math.max(maxParallel, active.size);
      lastStart.set(key, ++tick);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      active.delete(key);
    });
    for (let i = 0; i < 300; i++) {
      const k = keys[i % keys.length];
      q.add(k);
      addedAt.set(k, ++tick);
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    while (q.length > 0 || q.processing > 0) await new Promise((r) => setTimeout(r, 2));
    q.shutDown();
    await workers;
    assert.equal(overlaps, 0, 'a key ran in two workers at once');
    assert.ok(maxParallel > 1, 'different keys should run in parallel');
    for (const k of keys)
      assert.ok(lastStart.get(k)! > addedAt.get(k)!, `last add of ${k} was not processed`);
  });

  test('a failing item is retried with backoff and forgotten after it succeeds', async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter<string>(1, 10) });
    let calls = 0;
    const errors: unknown[] = [];
    const workers = runWorkers(
      q,
      1,
      (key) => {
        calls++;
        if (calls < 3) throw new Error(`fail ${key}`);
        q.shutDown();
      },
      { onError: (_k, err) => errors.push(err) },
    );
    q.add('k');
    await workers;
    assert.equal(calls, 3);
    assert.equal(errors.length, 2);
    assert.equal(q.numRequeues('k'), 0);
  });
});
