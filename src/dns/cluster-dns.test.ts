// startClusterDns against a real in-process API server: objects written through the API become
// answers; other names go to a stub upstream this test starts on 127.0.0.x (never the host's resolver).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { DecodedPacket } from 'dns-packet';
import * as dnsPacket from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { findKind } from '../api/kinds/index.ts';
import type { KObject } from '../api/object.ts';
import { type RestClient, refOf } from '../client/index.ts';
import { startTestCluster, type TestCluster } from '../client/testing/test-cluster.ts';
import { createLogger } from '../util/log.ts';
import { type ClusterDns, startClusterDns } from './cluster-dns.ts';
import {
  CLUSTER_DNS_IP,
  CLUSTER_DNS_NAMESPACE,
  CLUSTER_DNS_SLICE,
  clusterDnsObjects,
  ensureClusterDnsObjects,
} from './cluster-dns-service.ts';

const DNS_HOST = '127.0.0.21';
const STUB_HOST = '127.0.0.22';
const STUB_ANSWER = '192.0.2.77';
/** Informer delivery is asynchronous: poll a changed answer for at most this long. */
const CHANGE_DEADLINE_MS = 2_000;
const SERVICES = refOf(findKind('', 'services')!);
const SLICES = refOf(findKind('discovery.k8s.io', 'endpointslices')!);
const quiet = createLogger({ level: 'error', write: () => {} });
type Reply = DecodedPacket & { rcode?: string };

let nextId = 1;
function ask(port: number, name: string, type = 'A'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no reply for ${name}`));
    }, 3000);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(msg) as Reply);
    });
    const q = { type: 'query' as const, id: nextId++, flags: dnsPacket.RECURSION_DESIRED };
    sock.send(dnsPacket.encode({ ...q, questions: [{ name, type: type as 'A' }] }), port, DNS_HOST);
  });
}
const data = (r: Reply): string[] =>
  (r.answers ?? []).map((a) => `${a.type} ${JSON.stringify((a as { data?: unknown }).data)}`).sort();

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const start = performance.now();
  while (!(await check())) {
    assert.ok(
      performance.now() - start < CHANGE_DEADLINE_MS,
      `${what} not seen within ${CHANGE_DEADLINE_MS} ms`,
    );
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('startClusterDns (informers → DNS answers)', () => {
  let cluster: TestCluster;
  let client: RestClient;
  let stub: Socket;
  let dns: ClusterDns;
  let port: number;

  before(async () => {
    cluster = await startTestCluster(['default', 'shop', 'kube-system']);
    client = cluster.http();
    stub = createSocket('udp4');
    stub.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const answers = [
        { type: 'A' as const, name: q.questions![0].name, ttl: 30, class: 'IN' as const, data: STUB_ANSWER },
      ];
      stub.send(
        dnsPacket.encode({ type: 'response', id: q.id, questions: q.questions, answers }),
        rinfo.port,
        rinfo.address,
      );
    });
    await new Promise<void>((r) => stub.bind(0, STUB_HOST, () => r()));

    const svcs = client.resource<Service & KObject>(SERVICES, 'shop');
    await svcs.create({
      metadata: { name: 'web' },
      spec: { clusterIP: '10.43.9.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    await svcs.create({
      metadata: { name: 'db' },
      spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] },
    });
    await svcs.create({
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'db.example.org' },
    });
    await client.resource<EndpointSlice & KObject>(SLICES, 'shop').create({
      metadata: { name: 'db-1', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.42.0.5'], conditions: { ready: true } },
        { addresses: ['10.42.0.6'], conditions: { ready: true } },
        { addresses: ['10.42.0.7'], conditions: { ready: false } },
      ],
    });

    dns = await startClusterDns({
      client,
      listen: { host: DNS_HOST, port: 0 },
      upstreams: [`${STUB_HOST}:${stub.address().port}`],
      pods: 'disabled',
      forwardTimeoutMs: 500,
      log: quiet,
    });
    port = dns.address.port;
    await dns.synced;
  });

  after(async () => {
    await dns?.stop();
    await new Promise<void>((r) => stub.close(() => r()));
    await cluster?.stop();
  });

  it('answers services, headless (ready pods only), SRV, ExternalName and forwards the rest', async () => {
    assert.deepEqual(data(await ask(port, 'web.shop.svc.cluster.local')), ['A "10.43.9.10"']);
    assert.deepEqual(data(await ask(port, 'db.shop.svc.cluster.local')), ['A "10.42.0.5"', 'A "10.42.0.6"']);
    const srv = await ask(port, '_http._tcp.web.shop.svc.cluster.local', 'SRV');
    assert.deepEqual(data(srv), [
      'SRV {"priority":0,"weight":100,"port":80,"target":"web.shop.svc.cluster.local"}',
    ]);
    assert.deepEqual(data(await ask(port, 'ext.shop.svc.cluster.local')), ['CNAME "db.example.org"']);
    assert.equal((await ask(port, 'nope.shop.svc.cluster.local')).rcode, 'NXDOMAIN');
    assert.deepEqual(data(await ask(port, 'example.org')), [`A "${STUB_ANSWER}"`], 'forwarded to the stub');
  });

  it('follows changes: new and deleted services', async () => {
    const svcs = client.resource<Service & KObject>(SERVICES, 'shop');
    await svcs.create({
      metadata: { name: 'late' },
      spec: { clusterIP: '10.43.9.11', ports: [{ port: 80 }] },
    });
    await eventually(
      async () => data(await ask(port, 'late.shop.svc.cluster.local')).includes('A "10.43.9.11"'),
      'new service',
    );
    await svcs.delete('web');
    await eventually(
      async () => (await ask(port, 'web.shop.svc.cluster.local')).rcode === 'NXDOMAIN',
      'deletion',
    );
  });

  it('builds and ensures kube-system/kube-dns on 10.43.0.10 pointing at the server address', async () => {
    const { service, endpointSlice } = clusterDnsObjects({ endpointIP: '192.168.50.2', nodeName: 'n1' });
    assert.equal(service.spec?.clusterIP, CLUSTER_DNS_IP);
    assert.equal(service.spec?.selector, undefined, 'no selector: the endpointslice controller stays away');
    assert.deepEqual(
      service.spec?.ports?.map((p) => `${p.name}/${p.protocol}/${p.port}`),
      ['dns/UDP/53', 'dns-tcp/TCP/53'],
    );
    assert.deepEqual(endpointSlice.endpoints[0].addresses, ['192.168.50.2']);

    await ensureClusterDnsObjects(client, { endpointIP: '192.168.50.2', port: 5353 });
    await ensureClusterDnsObjects(client, { endpointIP: '192.168.50.3', port: 5353 }); // idempotent, re-points
    const svc = await client.resource<Service & KObject>(SERVICES, CLUSTER_DNS_NAMESPACE).get('kube-dns');
    assert.equal(svc.spec?.clusterIP, CLUSTER_DNS_IP);
    const slice = await client
      .resource<EndpointSlice & KObject>(SLICES, CLUSTER_DNS_NAMESPACE)
      .get(CLUSTER_DNS_SLICE);
    assert.deepEqual(slice.endpoints[0].addresses, ['192.168.50.3']);
    assert.deepEqual(
      slice.ports?.map((p) => p.port),
      [5353, 5353],
    );
    await eventually(
      async () =>
        data(await ask(port, 'kube-dns.kube-system.svc.cluster.local')).includes(`A "${CLUSTER_DNS_IP}"`),
      'kube-dns record',
    );
  });
});
