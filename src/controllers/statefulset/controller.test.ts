import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { PODS, type ResourceClient } from '../../client/index.ts';
import { CONTROLLER_REVISIONS, PERSISTENT_VOLUME_CLAIMS, STATEFULSETS } from '../common/resources.ts';
import { markPod, startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import { statefulSetControllerFactory } from './controller.ts';

const setOf = (name: string, replicas: number, extra: KObject = {}): KObject => ({
  metadata: { name },
  spec: {
    replicas,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    },
    ...extra,
  },
});

describe('statefulset controller', () => {
  let h: WorkloadHarness;
  let pods: ResourceClient;
  let sets: ResourceClient;
  before(async () => {
    h = await startWorkloadHarness([statefulSetControllerFactory]);
    pods = h.client.resource(PODS, 'default');
    sets = h.client.resource(STATEFULSETS, 'default');
  });
  after(() => h.stop());

  const live = async (app: string) =>
    (await pods.list({ labelSelector: `app=${app}` })).items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  /** Plays the kubelet for every live pod not yet running; returns the live pod names. */
  const runAll = async (app: string) => {
    const list = await live(app);
    for (const p of list) if (p.status?.phase !== 'Running') await markPod(h.client, p);
    return list.map((p) => p.metadata!.name);
  };
  /** Finishes deletions as a kubelet would (the test cluster has none). */
  const reap = async (app: string) => {
    for (const p of (await pods.list({ labelSelector: `app=${app}` })).items) {
      if (p.metadata?.deletionTimestamp)
        await pods.delete(p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => {});
    }
  };

  it('creates ordinal pods one at a time, each after the previous is Running and Ready', async () => {
    await sets.create(
      setOf('web', 3, {
        volumeClaimTemplates: [
          {
            metadata: { name: 'www' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      }),
    );
    const first = await h.eventually(async () => {
      const l = await live('web');
      return l.length === 1 && l[0];
    });
    assert.equal(first.metadata!.name, 'web-0');
    // Not ready yet: web-1 must not appear.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await live('web')).length, 1);
    assert.equal(first.spec.hostname, 'web-0');
    assert.equal(first.spec.subdomain, 'web');
    assert.equal(first.metadata!.labels!['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(first.metadata!.labels!['apps.kubernetes.io/pod-index'], '0');
    assert.match(first.metadata!.labels!['controller-revision-hash'], /^web-[a-z0-9]+$/);
    assert.deepEqual(
      first.spec.volumes.find((v: KObject) => v.name === 'www'),
      { name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } },
    );
    for (let n = 1; n <= 3; n++) {
      const names = await h.eventually(async () => {
        const l = await live('web');
        return l.length === n && l.map((p) => p.metadata!.name);
      });
      assert.equal(names[n - 1], `web-${n - 1}`);
      await runAll('web');
    }
    assert.deepEqual(
      (await live('web')).map((p) => p.metadata!.name),
      ['web-0', 'web-1', 'web-2'],
    );
    const claims = (await h.client.resource(PERSISTENT_VOLUME_CLAIMS, 'default').list()).items;
    assert.deepEqual(claims.map((c) => c.metadata!.name).sort(), ['www-web-0', 'www-web-1', 'www-web-2']);
    assert.equal(claims[0].metadata!.labels!.app, 'web');
    const st = await h.eventually(async () => {
      const s = (await sets.get('web')).status;
      return s?.readyReplicas === 3 && s;
    });
    assert.equal(st.replicas, 3);
    assert.equal(st.currentReplicas, 3);
    assert.equal(st.updatedReplicas, 3);
    assert.equal(st.availableReplicas, 3);
    assert.equal(st.currentRevision, st.updateRevision);
  });

  it('rolls out a template change from the highest ordinal down to the partition', async () => {
    const before = (await sets.get('web')).status.updateRevision;
    await sets.patch('web', 'merge', {
      spec: {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
        template: { metadata: { labels: { app: 'web', v: '2' } } },
      },
    });
    const next = await h.eventually(async () => {
      const s = (await sets.get('web')).status;
      return s?.updateRevision !== before && s.updateRevision;
    });
    const revisions = (await h.client.resource(CONTROLLER_REVISIONS, 'default').list()).items;
    assert.deepEqual(revisions.map((r) => r.revision).sort(), [1, 2]);
    // web-2 is replaced first, then web-1; web-0 stays below the partition.
    const order: string[] = [];
    for (const name of ['web-2', 'web-1']) {
      await h.eventually(async () => {
        await reap('web');
        const p = (await live('web')).find((x) => x.metadata!.name === name);
        return p?.metadata?.labels?.['controller-revision-hash'] === next && p;
      });
      order.push(name);
      await runAll('web');
    }
    assert.deepEqual(order, ['web-2', 'web-1']);
    await h.eventually(async () => (await sets.get('web')).status?.updatedReplicas === 2);
    const web0 = (await live('web')).find((x) => x.metadata!.name === 'web-0')!;
    assert.equal(web0.metadata!.labels!['controller-revision-hash'], before);
    const st = (await sets.get('web')).status;
    assert.equal(st.currentRevision, before);
    assert.equal(st.currentReplicas, 1);
  });

  it('scales down from the highest ordinal, one at a time', async () => {
    const rv = (await pods.list({ labelSelector: 'app=web' })).metadata.resourceVersion;
    const watch = await pods.watch({ labelSelector: 'app=web', resourceVersion: rv });
    const deleted: string[] = [];
    const seen = (async () => {
      for await (const ev of watch) {
        if (ev.type === 'DELETED') deleted.push(ev.object.metadata!.name!);
        if (deleted.length === 2) break;
      }
    })();
    await sets.patch('web', 'merge', { spec: { replicas: 1 } });
    await h.eventually(async () => {
      await reap('web');
      return deleted.length === 2;
    });
    watch.dispose();
    await seen;
    assert.deepEqual(deleted, ['web-2', 'web-1']);
    await h.eventually(async () => (await sets.get('web')).status?.replicas === 1);
  });

  it('Parallel creates every pod at once', async () => {
    await sets.create(setOf('par', 3, { podManagementPolicy: 'Parallel' }));
    const names = await h.eventually(async () => {
      const l = await live('par');
      return l.length === 3 && l.map((p) => p.metadata!.name);
    });
    assert.deepEqual(names, ['par-0', 'par-1', 'par-2']);
  });

  it('OnDelete keeps pods until the user deletes them, then recreates them at the new revision', async () => {
    await sets.create(
      setOf('od', 2, { podManagementPolicy: 'Parallel', updateStrategy: { type: 'OnDelete' } }),
    );
    await h.eventually(async () => (await live('od')).length === 2);
    await runAll('od');
    const first = (await sets.get('od')).status?.updateRevision;
    await sets.patch('od', 'merge', { spec: { template: { metadata: { labels: { app: 'od', v: '2' } } } } });
    const next = await h.eventually(async () => {
      const r = (await sets.get('od')).status?.updateRevision;
      return r && r !== first && r;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok((await live('od')).every((p) => p.metadata!.labels!['controller-revision-hash'] === first));
    await pods.delete('od-1', { gracePeriodSeconds: 0 });
    const again = await h.eventually(async () =>
      (await live('od')).find((p) => p.metadata!.name === 'od-1' && p.metadata!.labels!.v === '2'),
    );
    assert.equal(again.metadata!.labels!['controller-revision-hash'], next);
    const od0 = (await live('od')).find((p) => p.metadata!.name === 'od-0')!;
    assert.equal(od0.metadata!.labels!['controller-revision-hash'], first);
  });

  it('replaces a failed pod', async () => {
    const web0 = (await live('web')).find((p) => p.metadata!.name === 'web-0')!;
    await markPod(h.client, web0, { phase: 'Failed', ready: false });
    await h.eventually(async () => {
      await reap('web');
      const p = (await live('web')).find((x) => x.metadata!.name === 'web-0');
      return p && p.metadata!.uid !== web0.metadata!.uid;
    });
  });
});
