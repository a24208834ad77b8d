// The PreFilter state reads the cache's live counters plus a per-cycle overlay that nominated pods
// and preemption victims change (addPod/removePod extensions). This table checks that overlay
// against the straightforward answer: a cache that really holds (or lacks) the pod.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPodInfo } from '../../cache/pod-info.ts';
import { CycleState } from '../../framework/cycle-state.ts';
import { makePod, type PodSpecShort } from '../../testing/objects.ts';
import { buildFramework, type Fixture } from '../../testing/plugin-fixtures.ts';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

const anti = (app: string, topologyKey: string) => ({
  affinity: {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: { matchLabels: { app } }, topologyKey },
      ],
    },
  },
});

const CLUSTER: Pick<Fixture, 'plugins' | 'nodes' | 'pods'> = {
  plugins: ['InterPodAffinity', 'PodTopologySpread'],
  nodes: ['a', 'b', 'c'].flatMap((z) => [1, 2].map((i) => ({ name: `${z}${i}`, labels: { [ZONE]: z } }))),
  pods: [
    { name: 'w1', node: 'a1', labels: { app: 'web' } },
    { name: 'w2', node: 'b1', labels: { app: 'web' } },
    { name: 'd1', node: 'c2', labels: { app: 'db' }, spec: anti('web', ZONE) },
  ],
};

const INCOMING: PodSpecShort[] = [
  {
    name: 'spread-web',
    labels: { app: 'web' },
    spec: {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: ZONE,
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'web' } },
        },
      ],
    },
  },
  { name: 'anti-web', labels: { app: 'cache' }, spec: anti('web', HOST) },
  {
    name: 'affine-web',
    labels: { app: 'x' },
    spec: {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: ZONE },
          ],
        },
      },
    },
  },
];

/** Pods the cycle pretends to add (a nominated pod) or remove (a victim), by node. */
const CHANGES: { what: string; add?: PodSpecShort; remove?: string; node: string }[] = [
  { what: 'add a web pod in zone c', add: { name: 'w3', labels: { app: 'web' } }, node: 'c1' },
  {
    what: 'add a pod anti-affine to web pods',
    add: { name: 'x', labels: { app: 'q' }, spec: anti('web', ZONE) },
    node: 'a2',
  },
  { what: 'remove the web pod in zone a', remove: 'w1', node: 'a1' },
  { what: 'remove the anti-affine db pod', remove: 'd1', node: 'c2' },
];

/** Each node's filter verdict ('' for pass) with one pod added to or removed from `node`. */
function verdicts(
  incoming: PodSpecShort,
  change: (typeof CHANGES)[number],
  overlay: boolean,
): Record<string, string> {
  const pods = (CLUSTER.pods ?? []).filter((p) => overlay || p.name !== change.remove);
  if (!overlay && change.add) pods.push({ ...change.add, node: change.node });
  const { cache, fw } = buildFramework({ ...CLUSTER, pods });
  const pod = makePod(incoming);
  const state = new CycleState();
  assert.equal(fw.runPreFilterPlugins(state, pod, cache.list()).status, undefined);
  const changed = cache.get(change.node)!.clone();
  if (overlay && change.add) {
    const pi = newPodInfo(makePod({ ...change.add, node: change.node }));
    changed.addPod(pi);
    assert.equal(fw.runPreFilterExtensionAddPod(state, pod, pi, changed), undefined);
  }
  if (overlay && change.remove) {
    const pi = changed.pods.find((p) => p.pod.metadata?.name === change.remove)!;
    changed.removePod(pi.pod);
    assert.equal(fw.runPreFilterExtensionRemovePod(state, pod, pi, changed), undefined);
  }
  const out: Record<string, string> = {};
  for (const ni of cache.list()) {
    const s = fw.runFilterPlugins(state, pod, ni.name === change.node ? changed : ni);
    out[ni.name] = s ? s.message() : '';
  }
  return out;
}

describe('PreFilter overlay (nominated pods, preemption victims) equals a cache holding the change', () => {
  for (const incoming of INCOMING)
    for (const change of CHANGES)
      test(`${incoming.name}: ${change.what}`, () => {
        const want = verdicts(incoming, change, false);
        assert.deepEqual(verdicts(incoming, change, true), want);
      });

  test('the table is not vacuous: some changes flip a verdict', () => {
    const flips = INCOMING.flatMap((i) => CHANGES.map((c) => verdicts(i, c, false))).filter(
      (v, k) =>
        JSON.stringify(v) !==
        JSON.stringify(verdicts(INCOMING[Math.floor(k / CHANGES.length)], { what: '', node: 'a1' }, false)),
    );
    assert.ok(flips.length >= 4, `only ${flips.length} changes altered any verdict`);
  });
});
