import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { launcherAgentFlags } from './pods.ts';

const LIB = join(import.meta.dirname, '..', 'scripts', 'lib.sh');

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
