import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { ensureRevision, templatePatch, truncateHistory } from './history.ts';
import { CONTROLLER_REVISIONS, STATEFULSETS } from './resources.ts';
import { startWorkloadHarness, type WorkloadHarness } from './test-harness.ts';

describe('controller revision history', () => {
  let h: WorkloadHarness;
  let owner: KObject;
  before(async () => {
    h = await startWorkloadHarness([]);
    owner = await h.client.resource(STATEFULSETS, 'default').create({
      metadata: { name: 'hist' },
      spec: {
        selector: { matchLabels: { app: 'hist' } },
        template: {
          metadata: { labels: { app: 'hist' } },
          spec: { containers: [{ name: 'c', image: 'x' }] },
        },
      },
    });
  });
  after(() => h.stop());

  const list = async () => (await h.client.resource(CONTROLLER_REVISIONS, 'default').list()).items;
  const ensure = async (image: string) =>
    (
      await ensureRevision({
        client: h.client,
        owner,
        ownerApiVersion: 'apps/v1',
        ownerKind: 'StatefulSet',
        revisions: await list(),
        data: templatePatch({
          metadata: { labels: { app: 'hist' } },
          spec: { containers: [{ name: 'c', image }] },
        }),
        labels: { app: 'hist' },
        collisionCount: 0,
      })
    ).revision;

  it('stores each template once, numbering revisions, and renumbers on rollback', async () => {
    const a = await ensure('a');
    assert.match(a.metadata!.name!, /^hist-[a-z0-9]+$/);
    assert.equal(a.revision, 1);
    assert.equal(a.data.spec.template.$patch, 'replace');
    assert.equal(
      a.metadata!.labels!['controller.kubernetes.io/hash'],
      a.metadata!.name!.slice('hist-'.length),
    );
    assert.equal(a.metadata!.ownerReferences![0].uid, owner.metadata!.uid);
    assert.equal((await ensure('a')).metadata!.name, a.metadata!.name, 'same template, same revision');
    const b = await ensure('b');
    assert.equal(b.revision, 2);
    const back = await ensure('a');
    assert.equal(back.metadata!.name, a.metadata!.name);
    assert.equal(back.revision, 3);
    assert.equal((await list()).length, 2);
  });

  it('prunes the oldest revisions not in use beyond the limit', async () => {
    await ensure('c');
    await ensure('d');
    const all = await list();
    assert.equal(all.length, 4);
    const newest = all.reduce((x, y) => (Number(x.revision) > Number(y.revision) ? x : y));
    const oldest = all.reduce((x, y) => (Number(x.revision) < Number(y.revision) ? x : y));
    await truncateHistory(h.client, all, new Set([newest.metadata!.name!, oldest.metadata!.name!]), 1);
    const left = (await list()).map((r) => r.metadata!.name).sort();
    // Two live ones plus the newest unused one.
    assert.equal(left.length, 3);
    assert.ok(left.includes(oldest.metadata!.name) && left.includes(newest.metadata!.name));
  });
});
