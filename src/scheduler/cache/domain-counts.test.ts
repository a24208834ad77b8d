import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labelSelectorFromObject } from '../../api/selectors/index.ts';
import { CHURN_NAMESPACES, CHURN_ZONE_KEY, churn } from '../testing/cache-churn.ts';
import type { SchedulerCache } from './cache.ts';

/** The straightforward computation: walk every node and count (PodTopologySpread's old PreFilter). */
function fromScratch(
  cache: SchedulerCache,
  ns: string,
  key: string,
  selector: ReturnType<typeof labelSelectorFromObject>,
) {
  const counts = new Map<string, number>();
  for (const ni of cache.list()) {
    if (!Object.hasOwn(ni.labels, key)) continue;
    const v = ni.labels[key];
    counts.set(v, (counts.get(v) ?? 0) + ni.countMatching(ns, selector));
  }
  const min = counts.size === 0 ? 0 : Math.min(...counts.values());
  return { counts: Object.fromEntries([...counts].sort()), min };
}

const SELECTORS = [
  labelSelectorFromObject({ matchLabels: { app: 'web' } }),
  labelSelectorFromObject({ matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'cache'] }] }),
  labelSelectorFromObject({}),
];

describe('DomainCounts (cache-kept PodTopologySpread counts)', () => {
  for (const seed of [1, 7, 42, 1234, 99991]) {
    test(`equals the per-node walk after every change (seed ${seed})`, () => {
      churn(seed, 300, (cache, step) => {
        for (const ns of CHURN_NAMESPACES)
          for (const key of [CHURN_ZONE_KEY, 'kubernetes.io/hostname'])
            for (const sel of SELECTORS) {
              const dc = cache.domainCounts(ns, key, sel);
              const want = fromScratch(cache, ns, key, sel);
              assert.deepEqual(
                { counts: Object.fromEntries([...dc.counts].sort()), min: dc.min },
                want,
                `${step}: ${ns} ${key} ${JSON.stringify(sel)}`,
              );
            }
      });
    });
  }

  test('counters survive pod changes and are rebuilt after node label changes', () => {
    churn(3, 1, (cache) => {
      const sel = SELECTORS[0];
      const first = cache.domainCounts('default', CHURN_ZONE_KEY, sel);
      assert.equal(cache.domainCounts('default', CHURN_ZONE_KEY, sel), first, 'kept, not rebuilt');
      const ni = cache.list()[0];
      cache.updateNode({ ...ni.node, metadata: { ...ni.node.metadata, labels: { [CHURN_ZONE_KEY]: 'z9' } } });
      assert.notEqual(cache.domainCounts('default', CHURN_ZONE_KEY, sel), first, 'dropped on relabel');
    });
  });
});
