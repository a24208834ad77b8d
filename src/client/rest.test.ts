// The REST client against a real in-process API server, over the network and over the loopback
// transport: the same assertions must hold on both.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../api/errors.ts';
import type { KObject } from '../api/object.ts';
import { FakeClock } from '../util/clock.ts';
import { clientFromKubeconfig } from './index.ts';
import { loopbackTransport } from './loopback-transport.ts';
import { CONFIGMAPS, PODS, type ResourceRef } from './resource.ts';
import { RestClient } from './rest.ts';
import { startTestCluster, TEST_USER, type TestCluster } from './testing/test-cluster.ts';
import type { Transport, TransportRequest } from './transport.ts';

const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };
const SELF_REVIEWS: ResourceRef = {
  group: 'authentication.k8s.io',
  version: 'v1',
  resource: 'selfsubjectreviews',
  namespaced: false,
  kind: 'SelfSubjectReview',
};

let cluster: TestCluster;

before(async () => {
  cluster = await startTestCluster(['default', 'other']);
});

after(async () => {
  await cluster.stop();
});

async function rejectsWith(p: Promise<unknown>, reason: string, code: number): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${err}`);
    assert.equal(err.reason, reason, err.message);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected ${reason}`);
}

const deployment = (name: string): KObject => ({
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    },
  },
});

for (const via of ['http', 'loopback'] as const) {
  describe(`RestClient over ${via}`, () => {
    let client: RestClient;
    const p = (s: string) => `${via}-${s}`;

    before(() => {
      client = via === 'http' ? cluster.http() : cluster.loopback();
    });

    test('the request is authenticated as the token user', async () => {
      const review = await client.resource(SELF_REVIEWS).create({ metadata: {} });
      assert.equal(review.status.userInfo.username, TEST_USER);
    });

    test('create, get, update with compare-and-swap, list by selectors, delete', async () => {
      const cms = client.resource(CONFIGMAPS, 'default');
      const created = await cms.create({ metadata: { name: p('a'), labels: { t: via } }, data: { k: '1' } });
      assert.equal(created.kind, 'ConfigMap', 'apiVersion/kind filled in from the resource');
      await cms.create({ metadata: { name: p('b'), labels: { t: via } } });
      const got = await cms.get(p('a'));
      assert.equal(got.data.k, '1');

      const updated = await cms.update({ ...got, data: { k: '2' } });
      assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion);
      const stale = await rejectsWith(cms.update({ ...got, data: { k: '3' } }), 'Conflict', 409);
      assert.match(stale.message, /the object has been modified/);

      const byLabel = await cms.list({ labelSelector: { t: via } });
      assert.deepEqual(byLabel.items.map((i) => i.metadata?.name).sort(), [p('a'), p('b')]);
      assert.match(byLabel.metadata.resourceVersion ?? '', /^\d+$/);
      const byField = await cms.list({ fieldSelector: { 'metadata.name': p('b') } });
      assert.deepEqual(
        byField.items.map((i) => i.metadata?.name),
        [p('b')],
      );

      await cms.delete(p('a'));
      const nf = await rejectsWith(cms.get(p('a')), 'NotFound', 404);
      assert.equal(nf.details?.name, p('a'));
      assert.equal(nf.message, `configmaps "${p('a')}" not found`);
    });

    test('a namespace comes from the object when the client is not bound to one', async () => {
      const all = client.resource(CONFIGMAPS);
      const c = await all.create({ metadata: { name: p('ns'), namespace: 'other' } });
      assert.equal(c.metadata?.namespace, 'other');
      const everywhere = await all.list({ fieldSelector: { 'metadata.name': p('ns') } });
      assert.equal(everywhere.items.length, 1);
      assert.throws(() => all.get(p('ns')), /namespace is required/);
      await all.inNamespace('other').delete(p('ns'));
    });

    test('merge, strategic, JSON and apply patches', async () => {
      const deps = client.resource(DEPLOYMENTS, 'default');
      await deps.create(deployment(p('web')));
      let d = await deps.patch(p('web'), 'merge', { metadata: { labels: { merged: 'yes' } } });
      assert.equal(d.metadata?.labels?.merged, 'yes');
      d = await deps.patch(p('web'), 'strategic', {
        spec: { template: { spec: { containers: [{ name: 'side', image: 'nginx' }] } } },
      });
      assert.deepEqual(
        d.spec.template.spec.containers.map((c: { name: string }) => c.name).sort(),
        ['c', 'side'],
        'strategic merge keeps the other container (merge key: name)',
      );
      d = await deps.patch(p('web'), 'json', [{ op: 'replace', path: '/spec/replicas', value: 3 }]);
      assert.equal(d.spec.replicas, 3);
      const applied = await deps.apply(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: p('web'), annotations: { owner: 'me' } },
        },
        { fieldManager: 'skiff-test' },
      );
      assert.equal(applied.metadata?.annotations?.owner, 'me');
      assert.ok(
        applied.metadata?.managedFields?.some((m) => (m as { manager: string }).manager === 'skiff-test'),
      );
      assert.throws(() => deps.patch(p('web'), 'apply', {}), /fieldManager/);
    });

    test('status and scale subresources', async () => {
      const deps = client.resource(DEPLOYMENTS, 'default');
      const d = await deps.create(deployment(p('sub')));
      const withStatus = await deps.updateStatus({
        ...d,
        spec: { ...d.spec, replicas: 7 },
        status: { observedGeneration: 1, replicas: 1 },
      });
      assert.equal(withStatus.status.replicas, 1);
      assert.equal(withStatus.spec.replicas, 1, 'a status write keeps the old spec');
      const scale = await deps.getScale(p('sub'));
      assert.equal(scale.kind, 'Scale');
      assert.equal(scale.spec.replicas, 1);
      await deps.updateScale(p('sub'), { ...scale, spec: { replicas: 4 } });
      assert.equal((await deps.get(p('sub'))).spec.replicas, 4);
    });

    test('pods: binding, eviction and the log subresource', async () => {
      const pods = client.resource(PODS, 'default');
      const pod = (name: string) => ({
        metadata: { name },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      });
      await pods.create(pod(p('bind')));
      await pods.bind(p('bind'), 'skiff-node-1');
      assert.equal((await pods.get(p('bind'))).spec.nodeName, 'skiff-node-1');
      await rejectsWith(pods.bind(p('bind'), 'skiff-node-2'), 'Conflict', 409);

      await pods.create(pod(p('evict')));
      await pods.evict(p('evict'), { gracePeriodSeconds: 0 });
      const after = await pods.get(p('evict')).catch((e: unknown) => e);
      assert.ok(
        (after instanceof ApiError && after.reason === 'NotFound') ||
          (after as KObject).metadata?.deletionTimestamp !== undefined,
        'an evicted pod is deleted or terminating',
      );
      // The pod's node does not exist, so there is no agent to ask: the server says so, and the
      // client decodes it.
      await rejectsWith(pods.log(p('bind')), 'NotFound', 404);
    });

    test('dryRun persists nothing; delete options travel in the body', async () => {
      const cms = client.resource(CONFIGMAPS, 'default');
      await cms.create({ metadata: { name: p('dry') } }, { dryRun: true });
      await rejectsWith(cms.get(p('dry')), 'NotFound', 404);
      const c = await cms.create({ metadata: { name: p('pre') } });
      await rejectsWith(cms.delete(p('pre'), { preconditions: { uid: 'not-the-uid' } }), 'Conflict', 409);
      await rejectsWith(cms.delete(p('pre'), { propagationPolicy: 'Sideways' as 'Orphan' }), 'Invalid', 422);
      await cms.delete(p('pre'), {
        preconditions: { uid: c.metadata?.uid },
        propagationPolicy: 'Background',
        gracePeriodSeconds: 0,
      });
      await rejectsWith(cms.get(p('pre')), 'NotFound', 404);
    });

    test('pagination: list pages with continue, listAll gathers them', async () => {
      const cms = client.resource(CONFIGMAPS, 'other');
      for (let i = 0; i < 7; i++)
        await cms.create({ metadata: { name: p(`page-${i}`), labels: { page: via } } });
      const first = await cms.list({ labelSelector: { page: via }, limit: 3 });
      assert.equal(first.items.length, 3);
      assert.ok(first.metadata.continue);
      const all = await cms.listAll({ labelSelector: { page: via }, limit: 3 });
      assert.equal(all.items.length, 7);
      assert.equal(new Set(all.items.map((i) => i.metadata?.name)).size, 7);
      await cms.deleteCollection({ labelSelector: { page: via } });
      assert.equal((await cms.list({ labelSelector: { page: via } })).items.length, 0);
    });

    test('watch: events after the list version, then a quiet stop', async () => {
      const cms = client.resource(CONFIGMAPS, 'default');
      const sel = { w: via };
      const listed = await cms.list({ labelSelector: sel });
      const w = await cms.watch({ labelSelector: sel, resourceVersion: listed.metadata.resourceVersion });
      const seen: string[] = [];
      const consumed = (async () => {
        for await (const ev of w) {
          seen.push(`${ev.type} ${ev.object.metadata?.name ?? ''}`);
          if (seen.length === 3) w.stop();
        }
      })();
      await cms.create({ metadata: { name: p('w'), labels: sel } });
      await cms.patch(p('w'), 'merge', { data: { x: 'y' } });
      await cms.delete(p('w'));
      await consumed;
      assert.deepEqual(seen, [`ADDED ${p('w')}`, `MODIFIED ${p('w')}`, `DELETED ${p('w')}`]);
      assert.equal(w.stopped, true);
    });

    test('watch: aborting the signal ends the iteration without an error', async () => {
      const ac = new AbortController();
      const w = await client
        .resource(CONFIGMAPS, 'default')
        .watch({ signal: ac.signal, resourceVersion: '0' });
      const done = (async () => {
        let n = 0;
        for await (const _ of w) n++;
        return n;
      })();
      setTimeout(() => ac.abort(), 20);
      assert.ok((await done) >= 0);
      assert.equal(w.stopped, true);
    });

    test('a refused watch rejects with the decoded Status', async () => {
      await rejectsWith(
        client.resource(CONFIGMAPS, 'default').watch({ resourceVersion: 'not-a-number' }),
        'BadRequest',
        400,
      );
    });
  });
}

describe('identity and configuration', () => {
  test('the loopback transport without the token is unauthenticated', async () => {
    const anon = cluster.client(loopbackTransport({ handler: (req, res) => cluster.api.handle(req, res) }));
    await rejectsWith(anon.resource(CONFIGMAPS, 'default').list(), 'Unauthorized', 401);
  });

  test('a client from a kubeconfig file reaches the server with its token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-client-'));
    try {
      const path = join(dir, 'kubeconfig.yaml');
      writeFileSync(join(dir, 'token'), `${cluster.token}\n`);
      writeFileSync(
        path,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: c',
          `  cluster: {server: "${cluster.server}"}`,
          'users:',
          '- name: u',
          '  user: {tokenFile: token}',
          '- name: bad',
          '  user: {token: wrong}',
          'contexts:',
          '- name: good',
          '  context: {cluster: c, user: u}',
          '- name: wrong',
          '  context: {cluster: c, user: bad}',
          'current-context: good',
          '',
        ].join('\n'),
      );
      const good = await clientFromKubeconfig(path);
      const bad = await clientFromKubeconfig(path, { context: 'wrong' });
      try {
        const review = await good.resource(SELF_REVIEWS).create({ metadata: {} });
        assert.equal(review.status.userInfo.username, TEST_USER);
        await rejectsWith(bad.resource(CONFIGMAPS, 'default').list(), 'Unauthorized', 401);
      } finally {
        good.close();
        bad.close();
      }
      await assert.rejects(clientFromKubeconfig(path, { context: 'missing' }), /context "missing" not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('RestClient with a scripted transport', () => {
  const scripted = (
    status: number,
    body: string,
    headers: Record<string, string | string[]> = {},
  ): Transport & { requests: TransportRequest[] } => {
    const requests: TransportRequest[] = [];
    return {
      requests,
      request: async (r) => {
        requests.push(r);
        return { status, headers, body: Readable.from([Buffer.from(body)]) };
      },
      close: () => {},
    };
  };

  test('server warnings reach onWarning, one message each', async () => {
    const warnings: string[] = [];
    const t = scripted(200, '{"kind":"ConfigMap"}', {
      warning: '299 - "unknown field \\"spec.foo\\"", 299 - "v1beta1 is deprecated, use v1"',
    });
    const c = new RestClient({ transport: t, onWarning: (m) => warnings.push(m) });
    await c.resource(CONFIGMAPS, 'default').get('x');
    assert.deepEqual(warnings, ['unknown field "spec.foo"', 'v1beta1 is deprecated, use v1']);
  });

  test('requests carry the paths, query and content types the API expects', async () => {
    const t = scripted(200, '{}');
    const c = new RestClient({ transport: t });
    const deps = c.resource(DEPLOYMENTS, 'ns1');
    await deps.list({ labelSelector: 'app=web', limit: 5, resourceVersion: '0', timeoutSeconds: 9 });
    await deps.patch('web', 'strategic', { spec: {} }, { fieldManager: 'm', dryRun: true });
    await deps.apply({ metadata: { name: 'web' } }, { fieldManager: 'ctl', force: true });
    await deps.delete('web', { propagationPolicy: 'Foreground', gracePeriodSeconds: 5 });
    await c.resource(CONFIGMAPS).list();
    const [list, patch, apply, del, all] = t.requests;
    assert.equal(
      list.path,
      '/apis/apps/v1/namespaces/ns1/deployments?labelSelector=app%3Dweb&limit=5&resourceVersion=0&timeoutSeconds=9',
    );
    assert.equal(patch.method, 'PATCH');
    assert.equal(patch.path, '/apis/apps/v1/namespaces/ns1/deployments/web?dryRun=All&fieldManager=m');
    assert.equal(patch.headers?.['Content-Type'], 'application/strategic-merge-patch+json');
    assert.equal(apply.headers?.['Content-Type'], 'application/apply-patch+yaml');
    assert.equal(apply.path, '/apis/apps/v1/namespaces/ns1/deployments/web?fieldManager=ctl&force=true');
    assert.deepEqual(JSON.parse(String(del.body)), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 5,
      propagationPolicy: 'Foreground',
    });
    assert.equal(all.path, '/api/v1/configmaps');
  });

  test('client-side QPS limiting spaces requests beyond the burst', async () => {
    const clock = new FakeClock();
    const t = scripted(200, '{}');
    const c = new RestClient({ transport: t, qps: 2, burst: 2, clock });
    const cms = c.resource(CONFIGMAPS, 'default');
    const calls = [cms.get('a'), cms.get('b'), cms.get('c')];
    await new Promise((r) => setImmediate(r));
    assert.equal(t.requests.length, 2, 'the burst goes out at once');
    clock.advance(499);
    await new Promise((r) => setImmediate(r));
    assert.equal(t.requests.length, 2);
    clock.advance(1);
    await Promise.all(calls);
    assert.equal(t.requests.length, 3);
  });
});
