// `skiff sim` against a real `skiff server`: hollow nodes register Ready across zones, the
// scheduler and controllers place the filler Deployments' pods on them and they turn Running,
// and on SIGINT the nodes and Deployments go.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { until as waitUntil } from '../support/until.ts';
import { type Skiff, startSkiff } from './harness.ts';

const CLI = join(import.meta.dirname, '../../dist/skiff.mjs');
const NODES = 60;
const PER_NODE = 2;
let s: Skiff;
let sim: ChildProcess | undefined;
let out = '';

before(async () => {
  s = await startSkiff();
});
after(async () => {
  if (sim && sim.exitCode === null) sim.kill('SIGKILL');
  await s?.stop();
});

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000) =>
  waitUntil(what, fn, {
    timeoutMs: ms,
    pollMs: 250,
    detail: () => `sim: ${out}\nserver: ${s.logs().slice(-1500)}`,
  });

async function json(args: string[]) {
  const r = await s.kubectl([...args, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as {
    items: { metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string } }[];
  };
}

test('skiff sim registers hollow nodes whose pods run, and removes them on SIGINT', async () => {
  sim = spawn(
    process.execPath,
    [
      CLI,
      'sim',
      '--nodes',
      String(NODES),
      '--zones',
      '3',
      '--pods-per-node',
      String(PER_NODE),
      '--kubeconfig',
      s.kubeconfig,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  sim.stdout!.on('data', (d) => {
    out += d;
  });
  sim.stderr!.on('data', (d) => {
    out += d;
  });
  const nodes = await until('the hollow nodes', async () => {
    const l = await json(['get', 'nodes', '-l', 'sim.skiff.dev/fleet=hollow']);
    return l.items.length === NODES ? l.items : undefined;
  });
  const zones = new Set(nodes.map((n) => n.metadata.labels?.['topology.kubernetes.io/zone']));
  assert.equal(zones.size, 3);
  const ready = await s.kubectl([
    'wait',
    '--for=condition=Ready',
    'node',
    '-l',
    'sim.skiff.dev/fleet=hollow',
    '--timeout=30s',
  ]);
  assert.equal(ready.code, 0, ready.stderr);
  await until(`${NODES * PER_NODE} pods Running`, async () => {
    const l = await json(['get', 'pods', '-n', 'skiff-sim']);
    const running = l.items.filter((p) => p.status?.phase === 'Running').length;
    return running === NODES * PER_NODE ? true : undefined;
  });
  assert.match(out, new RegExp(`${NODES} nodes registered in [\\d.]+ s \\(~\\d+ KB resident each\\)`));

  sim.kill('SIGINT');
  const code = await new Promise<number | null>((r) => sim!.once('exit', r));
  assert.equal(code, 0, out);
  const left = await json(['get', 'nodes', '-l', 'sim.skiff.dev/fleet=hollow']);
  assert.equal(left.items.length, 0);
});
