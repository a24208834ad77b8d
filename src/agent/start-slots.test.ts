import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StartSlots } from './start-slots.ts';

describe('StartSlots', () => {
  it('lets at most n holders in, then the waiters in order', async () => {
    const slots = new StartSlots(2);
    const order: number[] = [];
    const a = await slots.acquire();
    const b = await slots.acquire();
    const mark = (n: number) => (release: () => void) => {
      order.push(n);
      return release;
    };
    const c = slots.acquire().then(mark(3));
    const d = slots.acquire().then(mark(4));
    await new Promise((r) => setImmediate(r));
    assert.equal(slots.waiting, 2);
    assert.deepEqual(order, []);
    a();
    a(); // a second release of the same slot is ignored
    const rc = await c;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [3]);
    b();
    const rd = await d;
    assert.deepEqual(order, [3, 4]);
    rc();
    rd();
    // Both slots are free again: two immediate acquisitions.
    await slots.acquire();
    await slots.acquire();
    assert.equal(slots.waiting, 0);
  });
});
