import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHURN_ZONE_KEY, churn } from '../testing/cache-churn.ts';
import { makePod } from '../testing/objects.ts';
import { podNamespace } from '../types.ts';
import { affinityTermKey, type TermGroup, termSelectsPod } from './affinity-counts.ts';
import type { SchedulerCache } from './cache.ts';
import { type AffinityTerm, newAffinityTerm } from './pod-info.ts';

const sorted = (m: ReadonlyMap<string, number>) => Object.fromEntries([...m].sort());

/** Pods a term selects, per domain, by walking every pod (InterPodAffinity's old PreFilter). */
function termCountsFromScratch(cache: SchedulerCache, term: AffinityTerm) {
  const counts = new Map<string, number>();
  for (const ni of cache.list()) {
    if (!Object.hasOwn(ni.labels, term.topologyKey)) continue;
    for (const pi of ni.pods) {
      if (!termSelectsPod(term, pi.pod, cache.namespaceLabels(podNamespace(pi.pod)))) continue;
      const v = ni.labels[term.topologyKey];
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  return sorted(counts);
}

/** Carried terms per (kind, weight, term), per domain, by walking every pod. */
function carriedFromScratch(cache: SchedulerCache, scoring: boolean) {
  const out: Record<string, Record<string, number>> = {};
  const add = (required: boolean, weight: number, t: AffinityTerm, labels: Record<string, string>) => {
    if (!Object.hasOwn(labels, t.topologyKey)) return;
    const k = `${required} ${weight} ${affinityTermKey(t)}`;
    out[k] ??= {};
    const v = labels[t.topologyKey];
    out[k][v] = (out[k][v] ?? 0) + 1;
  };
  for (const ni of cache.list())
    for (const pi of ni.pods) {
      if (!scoring) for (const t of pi.requiredAntiAffinityTerms) add(true, 0, t, ni.labels);
      if (scoring) {
        for (const t of pi.requiredAffinityTerms) add(true, 0, t, ni.labels);
        for (const w of pi.preferredAffinityTerms) add(false, w.weight, w.term, ni.labels);
        for (const w of pi.preferredAntiAffinityTerms) add(false, -w.weight, w.term, ni.labels);
      }
    }
  return out;
}

function carried(groups: Iterable<TermGroup>) {
  const out: Record<string, Record<string, number>> = {};
  for (const g of groups) {
    const k = `${g.required} ${g.weight} ${affinityTermKey(g.term)}`;
    assert.equal(out[k], undefined, `one group per distinct term: ${k}`);
    out[k] = sorted(g.counts);
  }
  return out;
}

const owner = makePod({ name: 'owner' });
const TERMS: AffinityTerm[] = [
  newAffinityTerm(owner, { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: CHURN_ZONE_KEY }),
  newAffinityTerm(owner, {
    labelSelector: { matchLabels: { app: 'db' } },
    topologyKey: 'kubernetes.io/hostname',
    namespaces: ['default', 'other'],
  }),
  newAffinityTerm(owner, {
    labelSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
    topologyKey: CHURN_ZONE_KEY,
    namespaceSelector: { matchLabels: { team: 'b' } },
  }),
];

describe('InterPodAffinity counters kept by the cache', () => {
  for (const seed of [2, 11, 57, 4242, 31337]) {
    test(`per-term counts equal the walk over every pod (seed ${seed})`, () => {
      churn(seed, 300, (cache, step) => {
        for (const t of TERMS)
          assert.deepEqual(
            sorted(cache.termCounts(t)),
            termCountsFromScratch(cache, t),
            `${step}: ${affinityTermKey(t)}`,
          );
      });
    });

    test(`grouped carried terms equal the walk over every pod (seed ${seed})`, () => {
      churn(seed, 300, (cache, step) => {
        assert.deepEqual(
          carried(cache.existingAntiAffinityTerms()),
          carriedFromScratch(cache, false),
          `${step}: anti`,
        );
        assert.deepEqual(
          carried(cache.existingScoringTerms()),
          carriedFromScratch(cache, true),
          `${step}: scoring`,
        );
        assert.equal(
          cache.hasPodsWithRequiredAntiAffinity(),
          cache.list().some((n) => n.podsWithRequiredAntiAffinity.length > 0),
          `${step}: hasPodsWithRequiredAntiAffinity`,
        );
        assert.deepEqual(
          cache
            .havePodsWithAffinity()
            .map((n) => n.name)
            .sort(),
          cache
            .list()
            .filter((n) => n.podsWithAffinity.length > 0)
            .map((n) => n.name)
            .sort(),
          `${step}: havePodsWithAffinity`,
        );
      });
    });
  }
});
