import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import { startTestCluster, type TestCluster } from '../../client/testing/test-cluster.ts';
import { FakeClock } from '../../util/clock.ts';
import { createLogger } from '../../util/log.ts';
import {
  ANN_PROVISIONED_BY,
  LOCAL_PATH_PROVISIONER,
  LocalPathJanitor,
  localPathToRemove,
} from './local-path-janitor.ts';

const PVS = { group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false };

function localPathPv(dir: string, node = 'n1', reclaim = 'Delete'): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pvc-u1', annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: reclaim,
      hostPath: { path: dir, type: 'DirectoryOrCreate' },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
          ],
        },
      },
    },
  };
}

describe('localPathToRemove', () => {
  const dir = '/var/lib/skiff/storage/pvc-u1_ns_c';
  it("is the directory of this node's local-path volumes with reclaim Delete", () => {
    assert.equal(localPathToRemove(localPathPv(dir), 'n1'), dir);
  });
  it('is nothing for other nodes, Retain, other provisioners or suspicious paths', () => {
    assert.equal(localPathToRemove(localPathPv(dir, 'n2'), 'n1'), undefined);
    assert.equal(localPathToRemove(localPathPv(dir, 'n1', 'Retain'), 'n1'), undefined);
    const other = localPathPv(dir);
    other.metadata = { name: 'x', annotations: { [ANN_PROVISIONED_BY]: 'example.com/nfs' } };
    assert.equal(localPathToRemove(other, 'n1'), undefined);
    for (const bad of ['/', '/var/lib', 'relative/pvc-x', '/var/lib/pvc-x/../..'])
      assert.equal(localPathToRemove(localPathPv(bad), 'n1'), undefined, bad);
  });
});

describe('LocalPathJanitor', () => {
  let cluster: TestCluster;
  let tmp: string;
  before(async () => {
    cluster = await startTestCluster([]);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'skiff-janitor-'));
  });
  after(async () => {
    await cluster.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('removes the directory of a remembered volume once it is deleted, and only then', async () => {
    const client = cluster.loopback();
    const dir = path.join(tmp, 'pvc-u1_ns_c');
    await mkdir(dir);
    const created = (await client
      .resource<KObject>(PVS)
      .create(localPathPv(dir) as KObject)) as PersistentVolume;
    const janitor = new LocalPathJanitor({
      client,
      nodeName: 'n1',
      stateDir: path.join(tmp, 'state'),
      clock: new FakeClock(0),
      log: createLogger({ level: 'error' }),
    });
    await janitor.start();
    await janitor.remember(created);
    await janitor.sweep();
    assert.ok(existsSync(dir), 'kept while the volume exists');
    await client.resource<KObject>(PVS).delete('pvc-u1');
    // pv-protection may hold the object until nothing uses it; nothing does here.
    const pvs = client.resource<KObject>(PVS);
    const left = await pvs.get('pvc-u1').catch(() => undefined);
    if (left?.metadata?.finalizers?.length)
      await pvs.update({ ...left, metadata: { ...left.metadata, finalizers: [] } });
    await janitor.sweep();
    assert.ok(!existsSync(dir), 'removed once the volume is gone');
    await janitor.dispose();
  });
});
