import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { KObject } from '../api/object.ts';
import { EventRecorder, LEASES, NODES } from '../client/index.ts';
import { startTestCluster, type TestCluster } from '../client/testing/test-cluster.ts';
import { FakeClock } from '../util/clock.ts';
import { NODE_LEASE_NAMESPACE, NodeRegistration } from './node-registration.ts';
import { FACTS } from './test-fixtures.ts';

let cluster: TestCluster;
let dir: string;

before(async () => {
  cluster = await startTestCluster(['default', 'kube-node-lease']);
  dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-agent-reg-'));
});
after(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

async function flush(clock: FakeClock, ms: number): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  clock.advance(ms);
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

test('registers the Node and its Lease, renews the Lease, reports Rebooted on a new boot id', async () => {
  const client = cluster.loopback();
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const recorder = new EventRecorder(client, { component: 'kubelet', host: 'n1' });
  let facts = FACTS;
  const reg = new NodeRegistration({
    client,
    nodeName: 'n1',
    dataDir: dir,
    internalIP: '192.0.2.10',
    podCidr: '10.42.251.0/24',
    recorder,
    clock,
    facts: async () => facts,
  });
  try {
    const node = await reg.start();
    assert.equal(reg.podCidr, '10.42.251.0/24');
    const stored = await client.resource<KObject>(NODES).get('n1');
    assert.equal(stored.status.allocatable.cpu, '1900m');
    assert.equal(stored.status.conditions.find((c: KObject) => c.type === 'Ready').status, 'True');
    assert.equal(node.metadata?.name, 'n1');
    const leases = client.resource<KObject>(LEASES, NODE_LEASE_NAMESPACE);
    const l1 = await leases.get('n1');
    assert.equal(l1.spec.holderIdentity, 'n1');
    assert.equal(await readFile(path.join(dir, 'boot-id'), 'utf8'), 'boot-1\n');

    await flush(clock, 10_000);
    const l2 = await leases.get('n1');
    assert.notEqual(l2.spec.renewTime, l1.spec.renewTime);

    // Memory pressure appears: the status is written before the 60 s period.
    facts = { ...FACTS, memoryAvailableBytes: 1 };
    await flush(clock, 10_000);
    const pressured = await client.resource<KObject>(NODES).get('n1');
    assert.equal(
      pressured.status.conditions.find((c: KObject) => c.type === 'MemoryPressure').status,
      'True',
    );
  } finally {
    reg.dispose();
  }

  // A second start after a "reboot": same Node updated, Rebooted event.
  await writeFile(path.join(dir, 'boot-id'), 'boot-0\n');
  const reg2 = new NodeRegistration({
    client,
    nodeName: 'n1',
    dataDir: dir,
    internalIP: '192.0.2.10',
    recorder,
    clock,
    facts: async () => FACTS,
  });
  try {
    await reg2.start();
    await recorder.flush();
    const events = await client
      .resource<KObject>({ group: '', version: 'v1', resource: 'events', namespaced: true })
      .list();
    assert.ok(events.items.some((e) => e.reason === 'Rebooted' && e.message.includes('boot id: boot-1')));
  } finally {
    reg2.dispose();
    await recorder.dispose();
  }
});
