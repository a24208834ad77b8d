// Table-driven plugin tests from JSON fixtures: a cluster (nodes, bound pods), then cases of
// "this pod → these nodes pass, these fail with these reasons, these normalized scores".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SchedulerCache } from '../cache/cache.ts';
import type { PluginConfig } from '../framework/config.ts';
import { CycleState } from '../framework/cycle-state.ts';
import { Framework } from '../framework/framework.ts';
import { Code } from '../framework/status.ts';
import { inTreeRegistry } from '../plugins/registry.ts';
import type { PodDisruptionBudget } from '../types.ts';
import { FakeClock } from './fake-clock.ts';
import { FakeHost } from './fake-host.ts';
import { makeNode, makePod, type NodeSpec, type PodSpecShort } from './objects.ts';

export interface FixtureCase {
  name: string;
  pod: PodSpecShort;
  /** Nodes that pass PreFilter+Filter (any order). */
  feasible?: string[];
  /** Node → the rejection text (reasons joined by ", "). */
  rejected?: Record<string, string>;
  /** Node → status code of the rejection. */
  codes?: Record<string, string>;
  /** PreFilter rejects the pod with this message. */
  preFilterRejects?: string;
  /** Normalized (weight 1) scores of the feasible nodes. */
  scores?: Record<string, number>;
}

export interface Fixture {
  /** Plugins under test, enabled with weight 1 (PrioritySort and DefaultBinder are added). */
  plugins: string[];
  pluginConfig?: PluginConfig[];
  nodes: NodeSpec[];
  pods?: PodSpecShort[];
  namespaces?: Record<string, Record<string, string>>;
  cases: FixtureCase[];
}

const ALWAYS = ['PrioritySort', 'DefaultBinder'];

export function buildFramework(
  fx: Pick<Fixture, 'plugins' | 'pluginConfig' | 'nodes' | 'pods' | 'namespaces'>,
  pdbs: PodDisruptionBudget[] = [],
) {
  const cache = new SchedulerCache({ clock: new FakeClock() });
  for (const n of fx.nodes) cache.addNode(makeNode(n));
  for (const p of fx.pods ?? []) cache.addPod(makePod(p));
  for (const [ns, labels] of Object.entries(fx.namespaces ?? {})) cache.setNamespace(ns, labels);
  const fw = new Framework(
    {
      schedulerName: 'default-scheduler',
      plugins: {
        multiPoint: {
          disabled: [{ name: '*' }],
          enabled: [...ALWAYS, ...fx.plugins.filter((p) => !ALWAYS.includes(p))].map((name) => ({
            name,
            weight: 1,
          })),
        },
      },
      pluginConfig: fx.pluginConfig,
    },
    inTreeRegistry(),
    {
      snapshot: cache,
      clock: new FakeClock(),
      host: new FakeHost(),
      nominator: { nominatedPodsForNode: () => [] },
      pdbs: () => pdbs,
      random: () => 0,
    },
  );
  return { cache, fw };
}

/** Runs one case and returns what happened, in the fixture's vocabulary. */
export function evaluate(fx: Fixture, c: FixtureCase) {
  const { cache, fw } = buildFramework(fx);
  const pod = makePod(c.pod);
  const state = new CycleState();
  const nodes = cache.list();
  const pre = fw.runPreFilterPlugins(state, pod, nodes);
  if (pre.status) return { preFilterRejects: pre.status.message() };
  const feasible: string[] = [];
  const rejected: Record<string, string> = {};
  const codes: Record<string, string> = {};
  for (const ni of nodes) {
    if (pre.nodeNames && !pre.nodeNames.has(ni.name)) {
      rejected[ni.name] = 'excluded by PreFilter';
      codes[ni.name] = Code.UnschedulableAndUnresolvable;
      continue;
    }
    const s = fw.runFilterPlugins(state, pod, ni);
    if (s) {
      rejected[ni.name] = s.message();
      codes[ni.name] = s.code;
    } else feasible.push(ni.name);
  }
  const feasibleNodes = nodes.filter((n) => feasible.includes(n.name));
  const scores: Record<string, number> = {};
  const ps = fw.runPreScorePlugins(state, pod, feasibleNodes);
  assert.equal(ps, undefined, `PreScore failed: ${ps?.message()}`);
  const r = fw.runScorePlugins(state, pod, feasibleNodes);
  assert.equal(r.status, undefined, `Score failed: ${r.status?.message()}`);
  for (const t of r.totals) scores[t.name] = t.score;
  return { feasible, rejected, codes, scores };
}

/** Registers one node:test per case of the fixture file. */
export function runFixtureFile(url: URL): void {
  const fx = JSON.parse(readFileSync(url, 'utf8')) as Fixture;
  for (const c of fx.cases) {
    test(c.name, () => {
      const got = evaluate(fx, c);
      if (c.preFilterRejects !== undefined) {
        assert.equal(got.preFilterRejects, c.preFilterRejects);
        return;
      }
      assert.equal(
        got.preFilterRejects,
        undefined,
        `unexpected PreFilter rejection: ${got.preFilterRejects}`,
      );
      if (c.feasible)
        assert.deepEqual([...(got.feasible ?? [])].sort(), [...c.feasible].sort(), 'feasible nodes');
      if (c.rejected)
        for (const [n, msg] of Object.entries(c.rejected))
          assert.equal(got.rejected?.[n], msg, `reason on ${n}`);
      if (c.codes)
        for (const [n, code] of Object.entries(c.codes)) assert.equal(got.codes?.[n], code, `code on ${n}`);
      if (c.scores) assert.deepEqual(got.scores, c.scores, 'scores');
    });
  }
}
