import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../util/clock.ts';
import { dueNow, type PacedResult, runPaced } from './paced.ts';

const turn = () => new Promise<void>((r) => setImmediate(r));

/** Steps the fake clock 1 ms at a time, letting the loop run between steps, until `done`. */
async function drive(clock: FakeClock, done: Promise<PacedResult>, maxMs: number): Promise<PacedResult> {
  let result: PacedResult | undefined;
  void done.then((r) => (result = r));
  for (let t = 0; t < maxMs && !result; t++) {
    await turn();
    clock.advance(1);
  }
  await turn();
  if (!result) throw new Error(`runPaced did not finish within ${maxMs} fake ms`);
  return result;
}

test('calls start on a fixed schedule without waiting for earlier ones', async () => {
  const clock = new FakeClock(1000);
  const startedAt: number[] = [];
  const result = await drive(
    clock,
    runPaced({
      ratePerS: 20,
      durationMs: 1000,
      maxInFlight: 100,
      clock,
      // Each call takes 300 ms: a sequential loop would manage ~3/s.
      op: (i) => {
        startedAt[i] = clock.now();
        return clock.sleep(300);
      },
    }),
    5000,
  );
  assert.equal(result.issued, 20);
  assert.equal(result.skipped, 0);
  assert.equal(result.failed, 0);
  assert.deepEqual(
    startedAt,
    Array.from({ length: 20 }, (_, i) => 1000 + i * 50),
  );
  assert.equal(result.achievedPerS, 20);
  // The last call starts at 950 ms and settles 300 ms later.
  assert.equal(result.elapsedMs, 1250);
});

test('a tick that finds maxInFlight calls outstanding is skipped and lowers the achieved rate', async () => {
  const clock = new FakeClock();
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const done = runPaced({ ratePerS: 10, durationMs: 2000, maxInFlight: 3, clock, op: () => gate });
  for (let t = 0; t < 2500; t++) {
    await turn();
    clock.advance(1);
  }
  release();
  const result = await drive(clock, done, 100);
  assert.equal(result.issued, 3);
  assert.equal(result.skipped, 17);
  assert.equal(result.achievedPerS, 1.5);
});

test('rejected calls are counted, not thrown', async () => {
  const clock = new FakeClock();
  const result = await drive(
    clock,
    runPaced({
      ratePerS: 5,
      durationMs: 1000,
      maxInFlight: 2,
      clock,
      op: (i) => (i % 2 === 0 ? Promise.reject(new Error('conflict')) : Promise.resolve()),
    }),
    2000,
  );
  assert.equal(result.issued, 5);
  assert.equal(result.failed, 3);
});

test('a bad rate or bound is refused', async () => {
  await assert.rejects(runPaced({ ratePerS: 0, durationMs: 10, maxInFlight: 1, op: async () => {} }));
  await assert.rejects(runPaced({ ratePerS: 1, durationMs: 10, maxInFlight: 0, op: async () => {} }));
});

test('dueNow spreads a period evenly and catches up after a late tick', () => {
  // 1,000 Leases per 10 s: one every 10 ms; the first at once.
  assert.equal(dueNow(0, 1000, 10_000, 0), 1);
  assert.equal(dueNow(100, 1000, 10_000, 1), 10);
  assert.equal(dueNow(100, 1000, 10_000, 11), 0);
  // A tick 2 s late owes the 200 calls that fell due meanwhile.
  assert.equal(dueNow(2100, 1000, 10_000, 11), 200);
  // The second period continues the count.
  assert.equal(dueNow(10_000, 1000, 10_000, 1000), 1);
  assert.equal(dueNow(50, 0, 10_000, 0), 0);
  assert.equal(dueNow(50, 10, 0, 0), 0);
});
