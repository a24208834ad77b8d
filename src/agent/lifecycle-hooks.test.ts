import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { graceAfterHook, runLifecycleHandler } from './lifecycle-hooks.ts';
import type { ContainerRuntime, ExecResult } from './runtime/types.ts';

function target(exitCode: number, calls: string[][]) {
  const runtime = {
    exec: async (_id: string, cmd: string[]): Promise<ExecResult> => {
      calls.push(cmd);
      return { exitCode, stdout: Buffer.from('out'), stderr: Buffer.alloc(0), timedOut: false };
    },
  } as unknown as ContainerRuntime;
  return { runtime, containerId: 'c1', podIP: '127.0.0.1', ports: {} };
}

describe('lifecycle hooks', () => {
  it('runs an exec handler in the container and reports a failure with its output', async () => {
    const calls: string[][] = [];
    assert.equal(
      await runLifecycleHandler({ exec: { command: ['true'] } }, target(0, calls), 1000),
      undefined,
    );
    const msg = await runLifecycleHandler({ exec: { command: ['false', 'x'] } }, target(1, calls), 1000);
    assert.equal(msg, 'Exec lifecycle hook (false x) failed: out');
    assert.deepEqual(calls, [['true'], ['false', 'x']]);
  });

  it('sleeps for the handler seconds, bounded by the timeout', async () => {
    const t0 = Date.now();
    assert.equal(await runLifecycleHandler({ sleep: { seconds: 30 } }, target(0, []), 150), undefined);
    const took = Date.now() - t0;
    assert.ok(took >= 140 && took < 1000, `took ${took}`);
  });

  it('leaves at least the minimum grace after a long hook', () => {
    assert.equal(graceAfterHook(30, 10_000), 20);
    assert.equal(graceAfterHook(5, 4_500), 2);
    assert.equal(graceAfterHook(0, 0), 0);
  });
});
