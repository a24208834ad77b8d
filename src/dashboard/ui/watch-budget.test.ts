import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatchBudget } from './watch-budget.ts';

test('slots are limited, released once each, and reusable', () => {
  const b = new WatchBudget(2);
  const r1 = b.tryAcquire();
  const r2 = b.tryAcquire();
  assert.ok(r1 && r2);
  assert.equal(b.tryAcquire(), undefined);
  r1();
  r1();
  assert.equal(b.used, 1, 'a double release frees one slot only');
  assert.ok(b.tryAcquire());
  assert.equal(b.tryAcquire(), undefined);
});
