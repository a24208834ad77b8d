// startNetworkPolicy against a real in-process API server and real iptables in a private "node"
// network namespace with pods behind a bridge (NetnsLab): every verdict is a real connection
// attempt. Needs root.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Namespace, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.d.ts';
import type { KObject } from '../api/object.ts';
import { NAMESPACES, PODS, type RestClient } from '../client/index.ts';
import { startTestCluster, type TestCluster } from '../client/testing/test-cluster.ts';
import { NetnsLab, requireRootNetworking } from '../proxy/testing/netns-lab.ts';
import { createLogger } from '../util/log.ts';
import { NetpolIptables } from './iptables.ts';
import { NETWORK_POLICIES, type NetworkPolicyEnforcer, startNetworkPolicy } from './network-policy.ts';

const NODE = 'node-1';
const HTTP = 8080;
const ADMIN = 9090;
/** How long a policy change may take to reach the kernel (min sync period is 200 ms). */
const CHANGE_DEADLINE_MS = 3_000;
const quiet = createLogger({ level: 'error', write: () => {} });

describe('startNetworkPolicy (informers → iptables, real connections between netns pods)', () => {
  const lab = new NetnsLab('10.251.8');
  let cluster: TestCluster;
  let client: RestClient;
  let enforcer: NetworkPolicyEnforcer;

  const podObject = (ns: string, name: string, labels: Record<string, string>): Pod & KObject => ({
    metadata: { name, namespace: ns, labels },
    spec: {
      nodeName: NODE,
      containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: HTTP }] }],
    },
  });
  const addPod = async (labPod: string, ns: string, labels: Record<string, string>): Promise<void> => {
    const pods = client.resource<Pod & KObject>(PODS, ns);
    const created = await pods.create(podObject(ns, labPod, labels));
    await pods.updateStatus({ ...created, status: { phase: 'Running', podIP: lab.pod(labPod).ip } });
  };
  const policies = (ns: string) => client.resource<NetworkPolicy & KObject>(NETWORK_POLICIES, ns);
  const reach = (from: string, to: string, port: number): boolean => {
    const r = lab.connect(from, lab.pod(to).ip, port, 1);
    return r[lab.pod(to).ip] === 1;
  };
  /** Waits until every expectation holds (policies apply asynchronously). */
  const expect = async (what: string, cases: [from: string, to: string, port: number, ok: boolean][]) => {
    const start = performance.now();
    for (;;) {
      // Connections run synchronously: yield so informers and the sync timer can run in between.
      await new Promise((r) => setTimeout(r, 50));
      const got = cases.map(([f, t, p]) => reach(f, t, p));
      if (got.every((g, i) => g === cases[i][3])) return;
      if (performance.now() - start > CHANGE_DEADLINE_MS)
        assert.fail(`${what}: expected ${JSON.stringify(cases)}, got ${JSON.stringify(got)}`);
    }
  };

  before(async () => {
    requireRootNetworking();
    lab.setUpNode();
    for (const p of ['web', 'ui', 'other']) lab.addPod(p);
    for (const p of ['web', 'ui', 'other']) await lab.serve(p, [HTTP, ADMIN]);
    cluster = await startTestCluster(['default']);
    client = cluster.http();
    const nss = client.resource<Namespace & KObject>(NAMESPACES);
    await nss.create({ metadata: { name: 'prod' } });
    await nss.create({ metadata: { name: 'frontend', labels: { team: 'frontend' } } });
    await addPod('web', 'prod', { app: 'web' });
    await addPod('ui', 'frontend', { app: 'ui' });
    await addPod('other', 'default', { app: 'other' });
    enforcer = startNetworkPolicy({
      client,
      nodeName: NODE,
      iptables: new NetpolIptables({ prefix: lab.nodeExec }),
      fullSyncPeriodMs: 0,
      log: quiet,
    });
    await enforcer.synced;
  });

  after(async () => {
    await enforcer?.stop();
    await cluster?.stop();
    lab.destroy();
    assert.deepEqual(lab.leftovers(), []);
  });

  it('default deny, allow from a namespace, allow one port, egress deny, then cleanup', async () => {
    await expect('no policies', [
      ['ui', 'web', HTTP, true],
      ['other', 'web', ADMIN, true],
    ]);

    await policies('prod').create({
      metadata: { name: 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    await expect('default deny', [
      ['ui', 'web', HTTP, false],
      ['other', 'web', HTTP, false],
      ['web', 'other', HTTP, true],
    ]);

    // Allow frontend pods, on the named port only.
    await policies('prod').create({
      metadata: { name: 'from-frontend' },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { team: 'frontend' } } }], ports: [{ port: 'http' }] },
        ],
      },
    });
    await expect('allow from a namespace, one port', [
      ['ui', 'web', HTTP, true],
      ['ui', 'web', ADMIN, false],
      ['other', 'web', HTTP, false],
    ]);

    await policies('frontend').create({
      metadata: { name: 'no-egress' },
      spec: { podSelector: { matchLabels: { app: 'ui' } }, policyTypes: ['Egress'] },
    });
    await expect('egress deny', [
      ['ui', 'web', HTTP, false],
      ['ui', 'other', HTTP, false],
      ['other', 'ui', HTTP, true],
    ]);

    await policies('frontend').delete('no-egress');
    await policies('prod').delete('default-deny');
    await expect('policies removed', [
      ['ui', 'web', HTTP, true],
      ['other', 'web', ADMIN, false],
      ['ui', 'other', HTTP, true],
    ]);
    assert.equal(enforcer.metrics.failedSyncs, 0);

    await enforcer.stop();
    assert.match(
      lab.iptablesSave(),
      /-A FORWARD -m comment --comment "skiff network policies" -j SKIFF-NP-FORWARD/,
    );
    await enforcer.cleanup();
    assert.doesNotMatch(lab.iptablesSave(), /SKIFF-NP/);
    await enforcer.cleanup(); // idempotent
    await expect('after cleanup', [['other', 'web', ADMIN, true]]);
  });
});
