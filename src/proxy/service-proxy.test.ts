// startServiceProxy against a real in-process API server and real iptables inside a private
// "node" network namespace (NetnsLab), with pods in their own namespaces behind a bridge. Needs root.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import type { KObject } from '../api/object.ts';
import type { RestClient } from '../client/index.ts';
import { startTestCluster, type TestCluster } from '../client/testing/test-cluster.ts';
import { createLogger } from '../util/log.ts';
import { ExecConntrackCleaner } from './conntrack.ts';
import { ExecIptablesBackend } from './iptables-backend.ts';
import { ENDPOINT_SLICES, SERVICES, startServiceProxy } from './service-proxy.ts';
import { NetnsLab, requireRootNetworking } from './testing/netns-lab.ts';

const POD_PORT = 8080;
/** The brief's bound: a readiness change moves traffic within this long (min sync period is 1 s). */
const READINESS_DEADLINE_MS = 2_000;
const quiet = createLogger({ level: 'error', write: () => {} });

const service = (name: string, ip: string, extra: Partial<Service['spec']> = {}): Service & KObject => ({
  metadata: { name, namespace: 'default' },
  spec: { clusterIP: ip, ports: [{ port: 80, targetPort: POD_PORT, protocol: 'TCP' }], ...extra },
});

describe('startServiceProxy (informers → iptables in a network namespace)', () => {
  const lab = new NetnsLab('10.251.7');
  let cluster: TestCluster;
  let client: RestClient;

  const slice = (svc: string, ready: Record<string, boolean>): EndpointSlice & KObject => ({
    metadata: { name: `${svc}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ port: POD_PORT, protocol: 'TCP' }],
    endpoints: Object.entries(ready).map(([pod, r]) => ({
      addresses: [lab.pod(pod).ip],
      conditions: { ready: r },
      nodeName: 'node-1',
    })),
  });

  before(async () => {
    requireRootNetworking();
    lab.setUpNode();
    for (const p of ['a', 'b', 'client']) lab.addPod(p);
    await lab.serve('a', [POD_PORT]);
    await lab.serve('b', [POD_PORT]);
    cluster = await startTestCluster();
    client = cluster.http();
  });

  after(async () => {
    await cluster?.stop();
    lab.destroy();
    assert.deepEqual(lab.leftovers(), []);
  });

  it('programs ClusterIP, follows readiness, keeps ClientIP affinity, serves NodePorts, cleans up', async (t) => {
    const svcs = client.resource<Service & KObject>(SERVICES, 'default');
    const slices = client.resource<EndpointSlice & KObject>(ENDPOINT_SLICES, 'default');
    await svcs.create(service('web', '10.43.7.10'));
    await svcs.create(service('sticky', '10.43.7.11', { sessionAffinity: 'ClientIP' }));
    await svcs.create(
      service('np', '10.43.7.12', {
        type: 'NodePort',
        ports: [{ port: 80, targetPort: POD_PORT, protocol: 'TCP', nodePort: 30_777 }],
      }),
    );
    const both = { a: true, b: true };
    for (const s of ['web', 'sticky', 'np']) await slices.create(slice(s, both));

    const proxy = startServiceProxy({
      client,
      nodeName: 'node-1',
      nodeIPs: [lab.gateway],
      clusterCidr: lab.subnet,
      iptables: new ExecIptablesBackend({ prefix: lab.nodeExec }),
      conntrack: new ExecConntrackCleaner({ prefix: lab.nodeExec }),
      fullSyncPeriodMs: 0,
      log: quiet,
    });
    try {
      await proxy.synced;
      const ips = [lab.pod('a').ip, lab.pod('b').ip].sort();
      for (const from of ['node', 'client']) {
        const tally = lab.connect(from, '10.43.7.10', 80, 20);
        assert.deepEqual(Object.keys(tally).sort(), ips, `ClusterIP from ${from}: ${JSON.stringify(tally)}`);
      }

      // Readiness: pod a goes unready in the API; traffic must leave it within the deadline.
      const current = await slices.get('web-1');
      const started = performance.now();
      await slices.update({ ...current, endpoints: slice('web', { a: false, b: true }).endpoints });
      let moved = -1;
      while (performance.now() - started < READINESS_DEADLINE_MS + 1_000) {
        // Connections run synchronously: yield so the informer and the sync timer can run.
        await new Promise((r) => setTimeout(r, 20));
        const tally = lab.connect('client', '10.43.7.10', 80, 6);
        if (tally[lab.pod('b').ip] === 6) {
          moved = performance.now() - started;
          break;
        }
      }
      t.diagnostic(`readiness change → traffic moved in ${moved.toFixed(0)} ms`);
      assert.ok(moved >= 0 && moved <= READINESS_DEADLINE_MS, `traffic moved after ${moved} ms`);

      const sticky = lab.connect('client', '10.43.7.11', 80, 10);
      assert.equal(Object.keys(sticky).length, 1, `ClientIP affinity: ${JSON.stringify(sticky)}`);
      assert.ok(ips.includes(Object.keys(sticky)[0]));

      for (const host of [lab.gateway, '127.0.0.1']) {
        const np = lab.connect('node', host, 30_777, 6);
        assert.ok(
          Object.keys(np).length > 0 && Object.keys(np).every((k) => ips.includes(k)),
          `NodePort on ${host}: ${JSON.stringify(np)}`,
        );
      }
      const fromPod = lab.connect('client', lab.gateway, 30_777, 4);
      assert.ok(
        Object.keys(fromPod).every((k) => ips.includes(k)),
        `NodePort from a pod: ${JSON.stringify(fromPod)}`,
      );

      // A deleted Service stops answering (no rules left for its VIP).
      await svcs.delete('sticky');
      const gone = performance.now();
      while (/10\.43\.7\.11/.test(lab.iptablesSave())) {
        assert.ok(performance.now() - gone < READINESS_DEADLINE_MS, 'deleted service still programmed');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await proxy.stop();
    }
    assert.match(lab.iptablesSave(), /SKIFF-SERVICES/, 'stop leaves the rules in place');
    await proxy.cleanup();
    assert.doesNotMatch(lab.iptablesSave(), /SKIFF/);
    await proxy.cleanup(); // idempotent
  });
});
