import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedQueue } from './keyed-queue.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

test('tasks of one key run one after another, other keys alongside; a failure does not block', async () => {
  const q = new KeyedQueue();
  const log: string[] = [];
  const task =
    (name: string, fail = false) =>
    async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      if (fail) throw new Error(name);
      return name;
    };
  const a1 = q.run('a', task('a1', true));
  const a2 = q.run('a', task('a2'));
  const b1 = q.run('b', task('b1'));
  await assert.rejects(a1, /a1/);
  assert.equal(await a2, 'a2');
  assert.equal(await b1, 'b1');
  assert.ok(log.indexOf('a1 end') < log.indexOf('a2 start'), log.join(', '));
  assert.ok(log.indexOf('b1 start') < log.indexOf('a1 end'), 'b runs while a1 does');
  await tick();
  assert.equal(q.size, 0, 'drained keys are forgotten');
});
