import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { numFeasibleNodesToFind, resolvePoint } from './config.ts';
import { fitErrorMessage, newDiagnosis } from './fit-error.ts';
import { defaultNormalizeScore } from './normalize.ts';
import { Code, newStatus } from './status.ts';

describe('configuration', () => {
  test('adaptive share of nodes to score (upstream numFeasibleNodesToFind)', () => {
    const cases: [number | undefined, number, number][] = [
      [undefined, 50, 50],
      [undefined, 100, 100],
      [undefined, 1000, 420],
      [undefined, 5000, 500],
      [undefined, 6000, 300],
      [10, 500, 100],
      [100, 5000, 5000],
    ];
    for (const [pct, n, want] of cases) assert.equal(numFeasibleNodesToFind(pct, n), want, `${pct}% of ${n}`);
  });

  test('default score weights and per-point overrides', () => {
    const all = () => true;
    const score = resolvePoint({ schedulerName: 'x' }, 'score', all);
    const w = Object.fromEntries(score.map((p) => [p.name, p.weight]));
    assert.equal(w.TaintToleration, 3);
    assert.equal(w.NodeAffinity, 2);
    assert.equal(w.PodTopologySpread, 2);
    assert.equal(w.InterPodAffinity, 2);
    assert.equal(w.NodeResourcesFit, 1);
    const custom = resolvePoint(
      {
        schedulerName: 'x',
        plugins: {
          score: { enabled: [{ name: 'ImageLocality', weight: 7 }], disabled: [{ name: 'TaintToleration' }] },
        },
      },
      'score',
      all,
    );
    assert.equal(custom[0].name, 'ImageLocality', 'explicit point plugins come first');
    assert.equal(custom[0].weight, 7);
    assert.equal(
      custom.some((p) => p.name === 'TaintToleration'),
      false,
    );
  });
});

describe('FitError message', () => {
  test("upstream's histogram, sorted as Go sorts strings, with the preemption suffix", () => {
    const d = newDiagnosis();
    const set = (n: string, code: Code, r: string) => d.nodeToStatus.set(n, newStatus(code, r));
    set('n1', Code.Unschedulable, 'Insufficient cpu');
    set('n2', Code.Unschedulable, 'Insufficient cpu');
    set('n3', Code.Unschedulable, "node(s) didn't match pod anti-affinity rules");
    set('n4', Code.Unschedulable, "node(s) didn't match pod anti-affinity rules");
    set(
      'n5',
      Code.UnschedulableAndUnresolvable,
      'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    );
    d.postFilterMsg = 'preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.';
    assert.equal(
      fitErrorMessage(5, d),
      "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling..",
    );
  });

  test('a PreFilter rejection replaces the per-node histogram', () => {
    const d = newDiagnosis();
    d.preFilterMsg = 'pod affinity terms conflict';
    d.nodeToStatus.set('n1', newStatus(Code.Unschedulable, 'ignored'));
    assert.equal(fitErrorMessage(3, d), '0/3 nodes are available: pod affinity terms conflict.');
  });
});

test('default normalization scales to the best and can reverse', () => {
  const s = [
    { name: 'a', score: 0 },
    { name: 'b', score: 1 },
    { name: 'c', score: 3 },
  ];
  defaultNormalizeScore(100, false, s);
  assert.deepEqual(
    s.map((x) => x.score),
    [0, 33, 100],
  );
  const r = [
    { name: 'a', score: 0 },
    { name: 'b', score: 0 },
  ];
  defaultNormalizeScore(100, true, r);
  assert.deepEqual(
    r.map((x) => x.score),
    [100, 100],
  );
});
