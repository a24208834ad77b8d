// `skiff slo` against a real server: after some traffic, the mutating and read rows carry
// samples and latencies, and the table is printed in the documented columns.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { runSlo } from '../../src/cli/slo.ts';
import { type Skiff, startSkiff } from './harness.ts';

let s: Skiff;
before(async () => {
  s = await startSkiff();
});
after(() => s?.stop());

function sink() {
  let text = '';
  return {
    stream: new Writable({
      write(c, _e, done) {
        text += c;
        done();
      },
    }),
    text: () => text,
  };
}

test('skiff slo reports the SLIs of a running cluster', async () => {
  for (let i = 0; i < 5; i++)
    assert.equal((await s.kubectl(['create', 'configmap', `slo-${i}`, '--from-literal=a=b'])).code, 0);
  assert.equal((await s.kubectl(['get', 'configmap', 'slo-0'])).code, 0);
  assert.equal((await s.kubectl(['get', 'pods', '-A'])).code, 0);
  const out = sink();
  const err = sink();
  const code = await runSlo({ kubeconfig: s.kubeconfig, json: true }, out.stream, err.stream);
  assert.equal(code, 0, err.text() + out.text());
  const rows = JSON.parse(out.text()) as { sli: string; samples: number; p99?: number; slo: number }[];
  const row = (name: string) => rows.find((r) => r.sli === name)!;
  assert.ok(row('mutating API calls').samples >= 5, JSON.stringify(rows));
  assert.ok(row('mutating API calls').p99! > 0 && row('mutating API calls').p99! <= 1);
  assert.ok(row('read: single object (GET)').samples >= 1);
  assert.ok(row('read: LIST cluster-wide').samples >= 1);
  const table = sink();
  assert.equal(await runSlo({ kubeconfig: s.kubeconfig }, table.stream, err.stream), 0);
  assert.match(table.text(), /^SLI\s+P50\s+P90\s+P99\s+SLO \(P99\)\s+SAMPLES\s+STATUS\n/);
  assert.match(table.text(), /mutating API calls .* met\n/);
});

test('the server serves the same report at /slo, for system:monitoring and admins only', async () => {
  const r = await s.kubectl(['get', '--raw', '/slo']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { kind: string; rows: { sli: string; samples: number }[] };
  assert.equal(report.kind, 'SLIReport');
  assert.ok(report.rows.find((x) => x.sli === 'mutating API calls')!.samples >= 5);
  const denied = await s.kubectl(['get', '--raw', '/slo', '--as', 'someone']);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /forbidden/i);
  const monitor = await s.kubectl([
    'get',
    '--raw',
    '/slo',
    '--as',
    'prom',
    '--as-group',
    'system:monitoring',
  ]);
  assert.equal(monitor.code, 0, monitor.stderr);
});
