// DaemonSet, StatefulSet and Job controllers inside a real `skiff server`, with pods "run" by hollow
// nodes started in this process (src/agent/sim): objects are applied with kubectl, what happens is
// read from watches, and `kubectl get` must show upstream's columns. Every scenario has its own
// namespace; the nodes are stopped and deleted at the end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type HollowNode, startHollowNode } from '../../src/agent/sim/hollow-node.ts';
import type { KObject } from '../../src/api/object.ts';
import { clientFromKubeconfig, NODES, PODS, type RestClient, type Watch } from '../../src/client/index.ts';
import { until as waitUntil } from '../support/until.ts';
import { type Skiff, startSkiff } from './harness.ts';

const WAIT_MS = 25_000;
const POLL_MS = 100;
/** Long enough for a wrong extra pod to have appeared if it was going to. */
const SETTLE_MS = 1500;
const TAINT = { key: 'skiff/dedicated', value: 'batch', effect: 'NoSchedule' };
const NODE_NAMES = ['skiff-batch-1', 'skiff-batch-2', 'skiff-batch-tainted'];

let s: Skiff;
let client: RestClient;
const nodes: HollowNode[] = [];

const until = <T>(what: string, fn: () => Promise<T | undefined | false>) =>
  waitUntil(what, fn, { timeoutMs: WAIT_MS, pollMs: POLL_MS, detail: () => s.logs().slice(-2000) });

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const apply = (obj: KObject) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));
const getJson = async (kind: string, ns: string, name: string): Promise<KObject> =>
  JSON.parse(await kubectl(['get', kind, name, '-n', ns, '-o', 'json']));
const header = (out: string): string[] =>
  out
    .split('\n')[0]
    .trim()
    .split(/\s{2,}/);
const row = (out: string): string[] =>
  out
    .split('\n')[1]
    .trim()
    .split(/\s{2,}/);

/** Collects pod watch events in a namespace from now on. */
async function podEvents(
  ns: string,
): Promise<{ events: { type: string; pod: KObject; at: number }[]; stop(): void }> {
  const pods = client.resource(PODS, ns);
  const rv = (await pods.list()).metadata.resourceVersion;
  const w: Watch = await pods.watch({ resourceVersion: rv });
  const events: { type: string; pod: KObject; at: number }[] = [];
  const done = (async () => {
    try {
      for await (const ev of w) events.push({ type: ev.type, pod: ev.object, at: Date.now() });
    } catch {
      // Disposed.
    }
  })();
  return {
    events,
    stop: () => {
      w.dispose();
      void done;
    },
  };
}

async function scenario(ns: string, fn: () => Promise<void>): Promise<void> {
  await kubectl(['create', 'namespace', ns]);
  try {
    await fn();
  } finally {
    // Waits until everything in it is gone: Job pods' tracking finalizers must not block that.
    await kubectl(['delete', 'namespace', ns, '--timeout=30s']);
  }
}

const isRunningReady = (p: KObject) =>
  p.status?.phase === 'Running' &&
  (p.status?.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True');

before(async () => {
  s = await startSkiff({ fromSource: true });
  client = await clientFromKubeconfig(s.kubeconfig);
  nodes.push(await startHollowNode({ client, name: NODE_NAMES[0] }));
  nodes.push(await startHollowNode({ client, name: NODE_NAMES[1] }));
  nodes.push(await startHollowNode({ client, name: NODE_NAMES[2], taints: [TAINT] }));
});

after(async () => {
  for (const n of nodes) await n.stop();
  if (client) {
    for (const name of NODE_NAMES)
      await client
        .resource(NODES)
        .delete(name)
        .catch(() => {});
    client.close();
  }
  if (process.env.SKIFF_E2E_DUMP) console.log(s?.logs());
  await s?.stop();
});

test('a DaemonSet covers every schedulable node, and a tolerating one the tainted node too', () =>
  scenario('batch-ds', async () => {
    const ds = (name: string, tolerations?: KObject[]): KObject => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: 'batch-ds' },
      spec: {
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [{ name: 'c', image: 'busybox:1.36' }],
            ...(tolerations ? { tolerations } : {}),
          },
        },
      },
    });
    await apply(ds('agent'));
    await apply(ds('agent-all', [{ key: TAINT.key, operator: 'Exists' }]));
    const placed = async (app: string, n: number) =>
      until(`${app} on ${n} nodes`, async () => {
        const list = (await client.resource(PODS, 'batch-ds').list({ labelSelector: `app=${app}` })).items;
        const ready = list.filter(isRunningReady);
        return ready.length === n && ready.map((p) => p.spec.nodeName as string).sort();
      });
    assert.deepEqual(await placed('agent', 2), ['skiff-batch-1', 'skiff-batch-2']);
    assert.deepEqual(await placed('agent-all', 3), [...NODE_NAMES].sort());
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    assert.equal(
      (await client.resource(PODS, 'batch-ds').list({ labelSelector: 'app=agent' })).items.length,
      2,
    );
    await until(
      'agent status',
      async () => (await getJson('ds', 'batch-ds', 'agent')).status?.numberAvailable === 2,
    );
    const out = await kubectl(['get', 'ds', 'agent', '-n', 'batch-ds']);
    assert.deepEqual(header(out), [
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'NODE SELECTOR',
      'AGE',
    ]);
    assert.deepEqual(row(out).slice(0, 7), ['agent', '2', '2', '2', '2', '2', '<none>']);
  }));

test('a StatefulSet creates web-0, web-1, web-2 in order, each after the previous is ready', () =>
  scenario('batch-sts', async () => {
    const watch = await podEvents('batch-sts');
    try {
      await apply({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'web', namespace: 'batch-sts' },
        spec: {
          replicas: 3,
          serviceName: 'web',
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
          },
        },
      });
      await until(
        'web ready',
        async () => (await getJson('sts', 'batch-sts', 'web')).status?.readyReplicas === 3,
      );
      const added = watch.events.filter((e) => e.type === 'ADDED').map((e) => e.pod.metadata!.name);
      assert.deepEqual(added, ['web-0', 'web-1', 'web-2']);
      // Each pod appears only after its predecessor was seen Running and Ready.
      const i = (pred: (e: { type: string; pod: KObject }) => boolean) => watch.events.findIndex(pred);
      for (const n of [1, 2]) {
        const readyPrev = i((e) => e.pod.metadata!.name === `web-${n - 1}` && isRunningReady(e.pod));
        const addedThis = i((e) => e.type === 'ADDED' && e.pod.metadata!.name === `web-${n}`);
        assert.ok(readyPrev >= 0 && readyPrev < addedThis, `web-${n} after web-${n - 1} was ready`);
      }
      const ts = await Promise.all(
        [0, 1, 2].map(async (n) =>
          Date.parse(String((await getJson('pod', 'batch-sts', `web-${n}`)).metadata!.creationTimestamp)),
        ),
      );
      assert.ok(ts[0] <= ts[1] && ts[1] <= ts[2]);
      const web1 = await getJson('pod', 'batch-sts', 'web-1');
      assert.equal(web1.spec.hostname, 'web-1');
      assert.equal(web1.spec.subdomain, 'web');
      assert.equal(web1.metadata!.labels!['apps.kubernetes.io/pod-index'], '1');
      const out = await kubectl(['get', 'sts', 'web', '-n', 'batch-sts']);
      assert.deepEqual(header(out), ['NAME', 'READY', 'AGE']);
      assert.deepEqual(row(out).slice(0, 2), ['web', '3/3']);
    } finally {
      watch.stop();
    }
  }));

const jobOf = (name: string, spec: KObject, annotations: Record<string, string>): KObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'batch-job' },
  spec: {
    ...spec,
    template: {
      metadata: { annotations },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] },
    },
  },
});

test('Jobs: 5 completions 2 at a time complete; a failing Job stops at backoffLimit', () =>
  scenario('batch-job', async () => {
    const watch = await podEvents('batch-job');
    try {
      await apply(jobOf('five', { completions: 5, parallelism: 2 }, { 'sim.skiff.dev/exit-after': '300ms' }));
      const complete = await until('five complete', async () =>
        ((await getJson('job', 'batch-job', 'five')).status?.conditions ?? []).find(
          (c: KObject) => c.type === 'Complete' && c.status === 'True',
        ),
      );
      assert.equal(complete.reason, 'CompletionsReached');
      // Replay the watch: never more than 2 pods of the Job running at once.
      const state = new Map<string, boolean>();
      let maxActive = 0;
      for (const e of watch.events) {
        if (e.pod.metadata!.labels?.['batch.kubernetes.io/job-name'] !== 'five') continue;
        const active =
          e.type !== 'DELETED' &&
          !e.pod.metadata!.deletionTimestamp &&
          !['Succeeded', 'Failed'].includes(e.pod.status?.phase);
        state.set(e.pod.metadata!.uid!, active);
        maxActive = Math.max(maxActive, [...state.values()].filter(Boolean).length);
      }
      assert.equal(maxActive, 2);
      const st = (await getJson('job', 'batch-job', 'five')).status;
      assert.equal(st.succeeded, 5);
      const out = await kubectl(['get', 'job', 'five', '-n', 'batch-job']);
      assert.deepEqual(header(out), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
      assert.deepEqual(row(out).slice(0, 3), ['five', 'Complete', '5/5']);

      // Three pods fail together (parallelism 3), so the limit is crossed without waiting out
      // the 10 s back-off between replacements.
      await apply(
        jobOf(
          'crash',
          { completions: 3, parallelism: 3, backoffLimit: 2 },
          { 'sim.skiff.dev/exit-after': '200ms', 'sim.skiff.dev/exit-code': '1' },
        ),
      );
      const failed = await until('crash failed', async () =>
        ((await getJson('job', 'batch-job', 'crash')).status?.conditions ?? []).find(
          (c: KObject) => c.type === 'Failed' && c.status === 'True',
        ),
      );
      assert.equal(failed.reason, 'BackoffLimitExceeded');
      assert.equal(failed.message, 'Job has reached the specified backoff limit');
      const crash = await getJson('job', 'batch-job', 'crash');
      assert.equal(crash.status.failed, 3);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const crashPods = new Set(
        watch.events
          .filter((e) => e.pod.metadata!.labels?.['batch.kubernetes.io/job-name'] === 'crash')
          .map((e) => e.pod.metadata!.uid),
      );
      assert.equal(crashPods.size, 3, 'no pod created past the limit');
      const out2 = await kubectl(['get', 'job', 'crash', '-n', 'batch-job']);
      assert.deepEqual(row(out2).slice(0, 3), ['crash', 'Failed', '0/3']);

      await apply({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly', namespace: 'batch-job' },
        spec: { schedule: '@daily', jobTemplate: { spec: jobOf('x', {}, {}).spec } },
      });
      const cron = await kubectl(['get', 'cronjob', 'nightly', '-n', 'batch-job']);
      assert.deepEqual(header(cron), [
        'NAME',
        'SCHEDULE',
        'TIMEZONE',
        'SUSPEND',
        'ACTIVE',
        'LAST SCHEDULE',
        'AGE',
      ]);
      assert.deepEqual(row(cron).slice(0, 6), ['nightly', '@daily', '<none>', 'False', '0', '<none>']);
    } finally {
      watch.stop();
    }
  }));
