import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../util/clock.ts';
import { ContainerProbes } from './container-probes.ts';
import { type ProbeOutcome, ProbeWorker } from './probe-worker.ts';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

async function advance(clock: FakeClock, ms: number, step = 1000): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle();
  }
}

test('readiness waits initialDelay, then needs successThreshold successes; failures flip it back', async () => {
  const clock = new FakeClock(0);
  const runs: number[] = [];
  let outcome: ProbeOutcome = { ok: true, message: '' };
  const results: boolean[] = [];
  const w = new ProbeWorker({
    kind: 'readiness',
    probe: {
      initialDelaySeconds: 5,
      periodSeconds: 2,
      successThreshold: 2,
      failureThreshold: 2,
      exec: { command: ['x'] },
    },
    clock,
    run: async (timeoutMs) => {
      runs.push(clock.now());
      assert.equal(timeoutMs, 1000);
      return outcome;
    },
    onResult: (r) => results.push(r),
  });
  w.start();
  assert.equal(w.result, false);
  await advance(clock, 4000);
  assert.deepEqual(runs, []);
  await advance(clock, 1000);
  assert.deepEqual(runs, [5000]);
  assert.equal(w.result, false, 'one success is below successThreshold 2');
  await advance(clock, 2000);
  assert.deepEqual(runs, [5000, 7000]);
  assert.equal(w.result, true);
  outcome = { ok: false, message: 'nope' };
  await advance(clock, 2000);
  assert.equal(w.result, true, 'one failure is below failureThreshold 2');
  await advance(clock, 2000);
  assert.equal(w.result, false);
  assert.deepEqual(results, [true, false]);
  w.stop();
  await advance(clock, 10_000);
  assert.equal(runs.length, 4);
});

test('liveness failure kills; startup gates liveness and readiness', async () => {
  const clock = new FakeClock(0);
  let startupOk = false;
  let liveOk = true;
  const kills: string[] = [];
  const unhealthy: string[] = [];
  const calls: string[] = [];
  const p = new ContainerProbes({
    container: {
      name: 'app',
      startupProbe: { periodSeconds: 1, failureThreshold: 30, exec: { command: ['s'] } },
      livenessProbe: { periodSeconds: 1, failureThreshold: 3, exec: { command: ['l'] } },
      readinessProbe: { periodSeconds: 1, exec: { command: ['r'] } },
    },
    clock,
    run: async (kind) => {
      calls.push(kind);
      if (kind === 'startup') return { ok: startupOk, message: 'not yet' };
      if (kind === 'liveness') return { ok: liveOk, message: 'dead' };
      return { ok: true, message: '' };
    },
    onChange: () => {},
    onUnhealthy: (kind, msg) => unhealthy.push(`${kind}:${msg}`),
    onKill: (kind) => kills.push(kind),
  });
  await advance(clock, 3000);
  assert.equal(p.started, false);
  assert.equal(p.ready, false);
  assert.ok(!calls.includes('liveness') && !calls.includes('readiness'), 'gated by startup');
  startupOk = true;
  await advance(clock, 2000);
  assert.equal(p.started, true);
  assert.equal(p.ready, true);
  liveOk = false;
  await advance(clock, 3000);
  assert.deepEqual(kills, ['liveness']);
  assert.ok(unhealthy.includes('liveness:dead'));
  p.stop();
});
