import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node, Pod } from 'kubernetes-types/core/v1.d.ts';
import { until as waitUntil } from '../../../test/support/until.ts';
import type { KObject } from '../../api/object.ts';
import { LEASES, NODES, PODS, type RestClient } from '../../client/index.ts';
import { startTestCluster, type TestCluster } from '../../client/testing/test-cluster.ts';
import { FLEET_LABEL, fleetPodCidr, startFleet, ZONE_LABEL } from './fleet.ts';
import { NODE_LEASE_NAMESPACE } from './hollow-node.ts';

let cluster: TestCluster;
let client: RestClient;

before(async () => {
  cluster = await startTestCluster(['default']);
  client = cluster.http();
});
after(() => cluster.stop());

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000) =>
  waitUntil(what, fn, { timeoutMs: ms, pollMs: 25 });

test('pod CIDRs are distinct /24s outside the cluster CIDR', () => {
  assert.equal(fleetPodCidr(0), '10.128.0.0/24');
  assert.equal(fleetPodCidr(257), '10.129.1.0/24');
  assert.equal(new Set(Array.from({ length: 5000 }, (_, i) => fleetPodCidr(i))).size, 5000);
});

test('a fleet registers Ready nodes across zones, runs their pods from one shared watch, renews leases, and cleans up', async () => {
  const fleet = await startFleet({
    client,
    nodes: 12,
    zones: 3,
    prefix: 'fleet-t-',
    heartbeatMs: 200,
    startupDelayMs: 50,
  });
  try {
    const nodes = (await client.resource(NODES).list({ labelSelector: `${FLEET_LABEL}=fleet-t` })) as {
      items: Node[];
    };
    assert.equal(nodes.items.length, 12);
    assert.ok(
      nodes.items.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
    );
    assert.deepEqual(
      new Set(nodes.items.map((n) => n.metadata?.labels?.[ZONE_LABEL])),
      new Set(['zone-0', 'zone-1', 'zone-2']),
    );
    assert.equal(nodes.items.find((n) => n.metadata?.name === 'fleet-t-5')?.spec?.podCIDR, fleetPodCidr(5));

    const podsApi = client.resource<KObject>(PODS, 'default');
    for (let i = 0; i < 24; i++)
      await podsApi.create({
        metadata: { name: `fp-${i}` },
        spec: { nodeName: `fleet-t-${i % 12}`, containers: [{ name: 'c', image: 'x' }] },
      });
    const running = await until('24 pods Running with IPs from their node', async () => {
      const l = await podsApi.list();
      const ok = (l.items as Pod[]).filter((p) => p.status?.phase === 'Running' && p.status.podIP);
      return ok.length === 24 ? (ok as Pod[]) : undefined;
    });
    const p7 = running.find((p) => p.metadata?.name === 'fp-7')!;
    assert.ok(p7.status!.podIP!.startsWith('10.128.7.'), p7.status!.podIP);
    assert.equal(fleet.podsStarted(), 24);

    const renewTime = async () =>
      ((await client.resource(LEASES, NODE_LEASE_NAMESPACE).get('fleet-t-0')) as Lease).spec?.renewTime;
    const first = await renewTime();
    await until('the lease renewed', async () => {
      const now = await renewTime();
      return now !== first ? true : undefined;
    });

    await podsApi.delete('fp-0');
    await until('a deleted pod finished by its node', async () => {
      const l = await podsApi.list();
      return l.items.some((p) => p.metadata?.name === 'fp-0') ? undefined : true;
    });
  } finally {
    await fleet.stop({ deleteNodes: true });
  }
  const left = await client.resource(NODES).list({ labelSelector: `${FLEET_LABEL}=fleet-t` });
  assert.equal(left.items.length, 0);
});
