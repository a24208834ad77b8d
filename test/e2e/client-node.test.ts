// @kubernetes/client-node against a real skiff: typed list, a raw watch resumed from a
// resourceVersion, and an informer that survives a server restart by re-listing after 410.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { CoreV1Api, KubeConfig, makeInformer, Watch } from '@kubernetes/client-node';
import { type Skiff, startSkiff } from './harness.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'skiff-e2e-cn-'));
let s: Skiff | undefined;
after(async () => {
  await s?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const NS = 'inf';

test('client-node: list, watch resume, informer re-list after 410', async () => {
  s = await startSkiff({ dataDir });
  const port = s.port;
  const kc = new KubeConfig();
  kc.loadFromFile(s.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: 'cm1' }, data: { a: '1' } },
  });

  // Typed list carries a resourceVersion usable as a watch start.
  const list = await core.listNamespacedConfigMap({ namespace: NS });
  // kube-root-ca.crt is the root-CA publisher's, in every namespace.
  assert.deepEqual(
    list.items.map((c) => c.metadata?.name).filter((n) => n !== 'kube-root-ca.crt'),
    ['cm1'],
  );
  const rv = list.metadata?.resourceVersion;
  assert.match(rv ?? '', /^\d+$/);

  // A watch from rv delivers exactly what happened after rv.
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cm2' } } });
  const events: string[] = [];
  const watch = new Watch(kc);
  const req = await watch.watch(
    `/api/v1/namespaces/${NS}/configmaps`,
    { resourceVersion: rv },
    (type: string, obj: V1ConfigMap) => events.push(`${type} ${obj.metadata?.name}`),
    () => {},
  );
  await core.deleteNamespacedConfigMap({ namespace: NS, name: 'cm2' });
  await until(
    () => events.length >= 2,
    () => events.join(', '),
  );
  req.abort();
  assert.deepEqual(events, ['ADDED cm2', 'DELETED cm2']);

  // An informer keeps its cache through a server restart; the resumed watch is too old for the
  // restarted server's cache (410), and the informer re-lists.
  let lists = 0;
  const informer = makeInformer(kc, `/api/v1/namespaces/${NS}/configmaps`, () => {
    lists++;
    return core.listNamespacedConfigMap({ namespace: NS });
  });
  // Restart after errors (as client-node's docs advise), but not once the test stopped it: a restart
  // loop against a stopped server would keep the process alive forever.
  let informerStopped = false;
  informer.on('error', () => {
    if (!informerStopped) setTimeout(() => void (informerStopped || informer.start().catch(() => {})), 300);
  });
  await informer.start();
  await until(
    () => informer.list(NS).filter((c) => c.metadata?.name !== 'kube-root-ca.crt').length === 1,
    () => JSON.stringify(informer.list(NS).map((c) => c.metadata?.name)),
  );
  assert.equal(lists, 1);
  // Move the global revision on (another resource), so the restarted cache starts past the informer.
  await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'bump' } } });
  await s.stop();
  s = await startSkiff({ dataDir, args: ['--https-port', String(port)] });
  const kc2 = new KubeConfig();
  kc2.loadFromFile(s.kubeconfig);
  await kc2
    .makeApiClient(CoreV1Api)
    .createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cm3' } } });
  await until(
    () =>
      informer
        .list(NS)
        .map((c) => c.metadata?.name)
        .filter((n) => n !== 'kube-root-ca.crt')
        .sort()
        .join() === 'cm1,cm3',
    () => JSON.stringify(informer.list(NS).map((c) => c.metadata?.name)),
    30_000,
  );
  assert.ok(lists >= 2, `the informer re-listed (${lists} lists)`);
  informerStopped = true;
  await informer.stop();
});

async function until(cond: () => boolean, show: () => string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out: ${show()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
