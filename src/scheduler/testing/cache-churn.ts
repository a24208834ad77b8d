// A seeded sequence of cache changes (nodes come, go and get relabelled; pods are added, assumed,
// confirmed, relabelled, marked terminating and removed; namespaces relabelled), for tests that
// check an incrementally kept structure against the same answer computed from scratch.
import { SchedulerCache } from '../cache/cache.ts';
import type { Pod } from '../types.ts';
import { FakeClock } from './fake-clock.ts';
import { makeNode, makePod } from './objects.ts';

export const CHURN_ZONE_KEY = 'topology.kubernetes.io/zone';
export const CHURN_NAMESPACES = ['default', 'other'] as const;
const ZONES = ['z1', 'z2', 'z3'];
const APPS = ['web', 'db', 'cache'];
const NODES = 8;

/** A deterministic generator in [0, 1) (Park–Miller), so a failing step can be replayed. */
export function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

const antiTerm = (app: string, topologyKey: string) => ({
  podAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchLabels: { app } }, topologyKey },
    ],
  },
});

const affinityTerm = (app: string, topologyKey: string, weight: number) => ({
  podAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [
      {
        labelSelector: { matchLabels: { app } },
        topologyKey,
        namespaceSelector: { matchLabels: { team: 'a' } },
      },
    ],
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight, podAffinityTerm: { labelSelector: { matchLabels: { app } }, topologyKey } },
    ],
  },
});

/**
 * Applies `steps` random changes to a fresh cache, calling `check` after each one with a label
 * for the step (assertion messages name it).
 */
export function churn(
  seed: number,
  steps: number,
  check: (cache: SchedulerCache, step: string) => void,
): void {
  const rnd = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const cache = new SchedulerCache({ clock: new FakeClock() });
  const nodeLabels = (): Record<string, string> => (rnd() < 0.9 ? { [CHURN_ZONE_KEY]: pick(ZONES) } : {});
  for (let i = 0; i < NODES; i++) cache.addNode(makeNode({ name: `n${i}`, labels: nodeLabels() }));
  cache.setNamespace('default', { team: 'a' });
  cache.setNamespace('other', { team: 'b' });
  const live = new Map<string, Pod>();
  let next = 0;
  for (let step = 0; step < steps; step++) {
    const r = rnd();
    let what: string;
    if (r < 0.35 || live.size === 0) {
      const name = `p${next++}`;
      const app = pick(APPS);
      const key = pick([CHURN_ZONE_KEY, 'kubernetes.io/hostname']);
      const kind = rnd();
      const affinity =
        kind < 0.3 ? antiTerm(pick(APPS), key) : kind < 0.5 ? affinityTerm(pick(APPS), key, 5) : undefined;
      const pod = makePod({
        name,
        namespace: pick(CHURN_NAMESPACES),
        node: `n${Math.floor(rnd() * (NODES + 1))}`, // n8 is never registered: a placeholder node
        labels: { app },
        spec: affinity ? { affinity } : {},
      });
      if (rnd() < 0.5) cache.assumePod(pod);
      else cache.addPod(pod);
      live.set(name, pod);
      what = `add ${name}`;
    } else if (r < 0.55) {
      const pod = pick([...live.values()]);
      cache.removePod(pod);
      live.delete(pod.metadata!.name!);
      what = `remove ${pod.metadata!.name}`;
    } else if (r < 0.7) {
      const old = pick([...live.values()]);
      const pod: Pod = {
        ...old,
        metadata: {
          ...old.metadata,
          labels: { app: pick(APPS) },
          ...(rnd() < 0.3 ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
        },
      };
      cache.updatePod(old, pod);
      live.set(pod.metadata!.name!, pod);
      what = `update ${pod.metadata!.name}`;
    } else if (r < 0.8) {
      const i = Math.floor(rnd() * NODES);
      cache.updateNode(makeNode({ name: `n${i}`, labels: nodeLabels() }));
      what = `relabel n${i}`;
    } else if (r < 0.85) {
      const i = Math.floor(rnd() * NODES);
      if (cache.get(`n${i}`)) cache.removeNode(`n${i}`);
      else cache.addNode(makeNode({ name: `n${i}`, labels: nodeLabels() }));
      what = `toggle n${i}`;
    } else if (r < 0.9) {
      const ns = pick(CHURN_NAMESPACES);
      cache.setNamespace(ns, { team: pick(['a', 'b']) });
      what = `relabel namespace ${ns}`;
    } else {
      // A status-only node update: same labels, the counters must survive it.
      const i = Math.floor(rnd() * NODES);
      const ni = cache.get(`n${i}`);
      if (ni) cache.updateNode({ ...ni.node, status: { ...ni.node.status } });
      what = `touch n${i}`;
    }
    check(cache, `seed ${seed} step ${step} (${what})`);
  }
}
