import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { createLogger } from '../util/log.ts';
import type { JumpRule, Table } from './chains.ts';
import type { ConntrackCleaner, ConntrackDeletion } from './conntrack.ts';
import type { IptablesBackend } from './iptables-backend.ts';
import { Proxier } from './proxier.ts';

class FakeBackend implements IptablesBackend {
  applied: string[] = [];
  jumps = 0;
  localnet = 0;
  failNext = false;
  async apply(text: string): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('iptables-restore: line 3 failed');
    }
    this.applied.push(text);
  }
  async ensureJumps(_rules?: readonly JumpRule[]): Promise<void> {
    this.jumps++;
  }
  async listChains(): Promise<Record<Table, string[]>> {
    return { filter: [], nat: ['SKIFF-SVC-LEFTOVERFROMOLDRUN'] };
  }
  async cleanup(): Promise<void> {}
  async enableRouteLocalnet(): Promise<void> {
    this.localnet++;
  }
  async restoreRouteLocalnet(): Promise<void> {}
}

const svc = (name: string, ip: string, protocol = 'TCP'): Service => ({
  metadata: { name, namespace: 'default' },
  spec: { clusterIP: ip, ports: [{ port: 53, protocol }] },
});
const slice = (name: string, ips: string[], protocol = 'TCP'): EndpointSlice => ({
  metadata: { name: `${name}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  ports: [{ port: 53, protocol }],
  endpoints: ips.map((ip) => ({ addresses: [ip] })),
});
const quiet = createLogger({ level: 'error', write: () => {} });
const node = { nodeName: 'n1', nodeIPs: ['192.168.0.2'], clusterCIDR: '10.42.0.0/16', logger: quiet };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Proxier', () => {
  it('batches updates within the min sync period into one sync', async () => {
    const backend = new FakeBackend();
    const p = new Proxier({ ...node, backend, minSyncPeriodMs: 50, fullSyncPeriodMs: 0 });
    p.update({ services: [svc('a', '10.43.0.1')] });
    p.update({ endpointSlices: [slice('a', ['10.42.0.1'])] });
    await sleep(20);
    p.update({ services: [svc('a', '10.43.0.1'), svc('b', '10.43.0.2')] });
    await sleep(20);
    assert.equal(backend.applied.length, 1, 'first update syncs at once');
    await sleep(80);
    assert.equal(backend.applied.length, 2, 'later updates waited for the period, then synced once');
    assert.match(backend.applied[1], /default\/b has no endpoints/);
    await p.dispose();
  });

  it('first sync is full (jumps, route_localnet, leftover chains deleted); later ones partial', async () => {
    const backend = new FakeBackend();
    const p = new Proxier({ ...node, backend, minSyncPeriodMs: 0, fullSyncPeriodMs: 0 });
    p.update({
      services: [svc('a', '10.43.0.1'), svc('b', '10.43.0.2')],
      endpointSlices: [slice('a', ['10.42.0.1']), slice('b', ['10.42.0.2'])],
    });
    await p.syncNow();
    assert.equal(backend.jumps, 1);
    assert.equal(backend.localnet, 1);
    assert.match(backend.applied[0], /-X SKIFF-SVC-LEFTOVERFROMOLDRUN\n/);
    p.update({ endpointSlices: [slice('a', ['10.42.0.1']), slice('b', ['10.42.0.3'])] });
    await p.syncNow();
    assert.equal(backend.jumps, 1, 'partial sync does not re-check jumps');
    assert.equal(p.applied?.stats.partial, true);
    assert.equal(p.metrics.lastRerendered, 1);
    assert.doesNotMatch(backend.applied[1], /10\.42\.0\.1:53/, 'unchanged service chain not rewritten');
    assert.match(backend.applied[1], /--to-destination 10\.42\.0\.3:53/);
    assert.ok(p.metrics.lastProgrammingLatencyMs >= 0 && p.metrics.syncs === 2);
    await p.dispose();
  });

  it('after a failed apply retries with a full sync', async () => {
    const backend = new FakeBackend();
    const p = new Proxier({ ...node, backend, minSyncPeriodMs: 10, fullSyncPeriodMs: 0 });
    p.update({ services: [svc('a', '10.43.0.1')], endpointSlices: [slice('a', ['10.42.0.1'])] });
    await p.syncNow();
    backend.failNext = true;
    p.update({ endpointSlices: [slice('a', ['10.42.0.2'])] });
    await p.syncNow();
    assert.equal(p.metrics.failedSyncs, 1);
    await sleep(60);
    assert.equal(p.metrics.syncs, 2, 'retried on its own');
    assert.equal(p.metrics.fullSyncs, 2);
    assert.equal(p.applied?.stats.partial, false);
    assert.match(backend.applied.at(-1)!, /--to-destination 10\.42\.0\.2:53/);
    await p.dispose();
  });

  it('asks conntrack to drop flows of removed UDP endpoints', async () => {
    const backend = new FakeBackend();
    const calls: ConntrackDeletion[][] = [];
    const conntrack: ConntrackCleaner = { delete: async (d) => void calls.push([...d]) };
    const p = new Proxier({ ...node, backend, conntrack, minSyncPeriodMs: 0, fullSyncPeriodMs: 0 });
    p.update({
      services: [svc('dns', '10.43.0.10', 'UDP')],
      endpointSlices: [slice('dns', ['10.42.0.1', '10.42.0.2'], 'UDP')],
    });
    await p.syncNow();
    p.update({ endpointSlices: [slice('dns', ['10.42.0.2'], 'UDP')] });
    await p.syncNow();
    assert.deepEqual(calls.at(-1), [
      { kind: 'nat', origDst: '10.43.0.10', port: 53, endpointIP: '10.42.0.1' },
    ]);
    await p.dispose();
  });
});
