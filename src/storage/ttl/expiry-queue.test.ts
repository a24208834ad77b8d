import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ExpiryEntry, ExpiryQueue } from './expiry-queue.ts';

describe('ExpiryQueue', () => {
  it('expires entries in expiry order, not insertion order, and not before they are due', async () => {
    const fired: { key: string; at: number }[] = [];
    const q = new ExpiryQueue(async (e: ExpiryEntry) => {
      fired.push({ key: e.key, at: Date.now() });
    });
    const now = Date.now();
    q.add({ key: 'late', revision: 1, expiresAt: now + 300 });
    q.add({ key: 'early', revision: 2, expiresAt: now + 100 });
    q.add({ key: 'middle', revision: 3, expiresAt: now + 200 });
    await sleep(50);
    assert.equal(fired.length, 0, 'nothing is due yet');
    await sleep(400);
    assert.deepEqual(
      fired.map((f) => f.key),
      ['early', 'middle', 'late'],
    );
    assert.ok(fired[0].at >= now + 100 - 50, 'not fired before its time (within the coalescing window)');
    assert.equal(q.size, 0);
    await q.stop();
  });

  it('a failing callback does not stop the others; stop() ends expiry', async () => {
    const fired: string[] = [];
    const q = new ExpiryQueue(async (e) => {
      fired.push(e.key);
      if (e.key === 'bad') throw new Error('boom');
    });
    const now = Date.now();
    q.add({ key: 'bad', revision: 1, expiresAt: now });
    q.add({ key: 'good', revision: 2, expiresAt: now });
    q.add({ key: 'after-stop', revision: 3, expiresAt: now + 200 });
    await sleep(100);
    await q.stop();
    await sleep(200);
    assert.deepEqual(fired.sort(), ['bad', 'good']);
  });
});
