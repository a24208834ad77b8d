import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { launcherAgentFlags, launcherAgentTunables } from './launcher-flags.ts';

const LIB = join(import.meta.dirname, 'lib.sh');

test('the agent flags are the launcher arrays, the common ones first', () => {
  const lib = 'X=1\nSKIFF_NODE_FLAGS=(--a=1 --b)\n# note\nSKIFF_AGENT_NODE_FLAGS=(--c  --d=2)\n';
  assert.deepEqual(launcherAgentFlags(lib), ['--a=1', '--b', '--c', '--d=2']);
  assert.throws(() => launcherAgentFlags('SKIFF_NODE_FLAGS=(--a)\n'), /SKIFF_AGENT_NODE_FLAGS/);
});

test('Node accepts every flag `./skiff agent` is started with', () => {
  const flags = launcherAgentFlags(readFileSync(LIB, 'utf8'));
  assert.ok(flags.includes('--max-semi-space-size=1'), flags.join(' '));
  const r = spawnSync(process.execPath, [...flags, '-e', 'process.exit(0)'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('the agent malloc tunables are the launcher string, and glibc applies them', () => {
  assert.equal(
    launcherAgentTunables('A=1\nSKIFF_AGENT_MALLOC_TUNABLES="glibc.malloc.x=1:glibc.malloc.y=2"\n'),
    'glibc.malloc.x=1:glibc.malloc.y=2',
  );
  assert.throws(() => launcherAgentTunables('A=1\n'), /SKIFF_AGENT_MALLOC_TUNABLES/);
  // glibc ignores a malformed tunable silently, so look at its effect: 200 buffers of 64 KB grow
  // the brk heap by ~12 MB by default, and not at all when allocations from 8 KB up are mapped.
  const script = `
    const heapKb = () => Number(/^[0-9a-f]+-[0-9a-f]+ .*\\[heap\\]\\n(?:.*\\n)*?Size:\\s+(\\d+)/m.exec(require('fs').readFileSync('/proc/self/smaps', 'utf8'))?.[1] ?? 0);
    const before = heapKb();
    const keep = Array.from({ length: 200 }, () => Buffer.allocUnsafeSlow(65536));
    console.log(heapKb() - before, keep.length);`;
  const grow = (env: NodeJS.ProcessEnv) => {
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return Number(r.stdout.split(' ')[0]);
  };
  const { GLIBC_TUNABLES: _caller, ...plain } = process.env;
  const tunables = launcherAgentTunables(readFileSync(LIB, 'utf8'));
  assert.ok(grow(plain) > 10_000, 'by default the buffers come from the brk heap');
  assert.ok(grow({ ...plain, GLIBC_TUNABLES: tunables }) < 1_000, 'with the tunables they are mapped');
});
