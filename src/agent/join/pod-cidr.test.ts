import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import { NODES } from '../../client/index.ts';
import { startTestCluster, type TestCluster } from '../../client/testing/test-cluster.ts';
import { awaitPodCidr } from './pod-cidr.ts';

let cluster: TestCluster;
let dir: string;

before(async () => {
  cluster = await startTestCluster(['default']);
  dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-join-cidr-'));
});
after(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

test('registers a new Node with its labels and returns the CIDR nodeipam assigns', async () => {
  const client = cluster.loopback();
  const nodes = client.resource<Node & KObject>(NODES);
  // Plays nodeipam: assigns a CIDR once the Node shows up.
  const assign = (async () => {
    for (;;) {
      const n = await nodes.get('j1').catch(() => undefined);
      if (n) {
        await nodes.update({
          ...n,
          spec: { ...n.spec, podCIDR: '10.42.7.0/24', podCIDRs: ['10.42.7.0/24'] },
        });
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const cidr = await awaitPodCidr(client, { nodeName: 'j1', dataDir: dir, internalIP: '192.0.2.7' });
  await assign;
  assert.equal(cidr, '10.42.7.0/24');
  const node = await nodes.get('j1');
  assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'j1');
  assert.equal(node.metadata?.labels?.['kubernetes.io/os'], 'linux');
});

test('keeps an existing Node and its CIDR (a restarted agent)', async () => {
  const client = cluster.loopback();
  await client.resource<Node & KObject>(NODES).create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'j2' },
    spec: { podCIDR: '10.42.9.0/24', podCIDRs: ['10.42.9.0/24'] },
  });
  assert.equal(
    await awaitPodCidr(client, { nodeName: 'j2', dataDir: dir, internalIP: '192.0.2.8' }),
    '10.42.9.0/24',
  );
});

test('fails with a clear message when no CIDR is assigned in time', async () => {
  const client = cluster.loopback();
  await assert.rejects(
    awaitPodCidr(client, { nodeName: 'j3', dataDir: dir, internalIP: '192.0.2.9', timeoutMs: 300 }),
    /node j3 was assigned no pod CIDR within 0 s \(is the nodeipam controller running\?\)/,
  );
});
