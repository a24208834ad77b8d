// Which names exist and what they hold, checked against CoreDNS's kubernetes plugin behaviour.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Answer } from 'dns-packet';
import { ClusterIndex } from './cluster-index.ts';
import { type Resolution, resolve } from './resolve.ts';
import { fixtureIndex, services } from './test-fixtures.ts';

const OPTS = { zone: 'cluster.local', ttl: 5, serial: 1, pods: 'verified' as const };
const index = fixtureIndex();
const q = (name: string, type = 'A', idx = index): Resolution => resolve(idx, name, type, OPTS);

const show = (rr: Answer): string => {
  if (rr.type === 'SRV') return `${rr.name} SRV ${rr.data.weight} ${rr.data.port} ${rr.data.target}`;
  return `${rr.name} ${rr.type} ${String((rr as { data?: unknown }).data)}`;
};
const answers = (r: Resolution): string[] => (r.kind === 'answer' ? r.answers.map(show) : []);
const rcode = (r: Resolution): string => (r.kind === 'answer' ? r.rcode : 'FORWARD');
const isNoData = (r: Resolution): boolean =>
  r.kind === 'answer' && r.rcode === 'NOERROR' && r.answers.length === 0 && r.authorities[0]?.type === 'SOA';

describe('resolve: records', () => {
  it('ClusterIP service A', () => {
    assert.deepEqual(answers(q('web.testns.svc.cluster.local')), [
      'web.testns.svc.cluster.local A 10.43.0.10',
    ]);
  });
  it('headless service: every READY endpoint', () => {
    assert.deepEqual(answers(q('db.testns.svc.cluster.local')), [
      'db.testns.svc.cluster.local A 10.42.0.5',
      'db.testns.svc.cluster.local A 10.42.0.6',
    ]);
  });
  it('endpoint by hostname, or by dashed IP when it has none', () => {
    assert.deepEqual(answers(q('db-0.db.testns.svc.cluster.local')), [
      'db-0.db.testns.svc.cluster.local A 10.42.0.5',
    ]);
    assert.deepEqual(answers(q('10-42-0-6.db.testns.svc.cluster.local')), [
      '10-42-0-6.db.testns.svc.cluster.local A 10.42.0.6',
    ]);
    assert.equal(rcode(q('db-2.db.testns.svc.cluster.local')), 'NXDOMAIN', 'not-ready endpoint has no name');
  });
  it('SRV for named ports, with address records as extras', () => {
    const r = q('_http._tcp.web.testns.svc.cluster.local', 'SRV');
    assert.deepEqual(answers(r), [
      '_http._tcp.web.testns.svc.cluster.local SRV 100 80 web.testns.svc.cluster.local',
    ]);
    assert.ok(
      r.kind === 'answer' && r.additionals.map(show).includes('web.testns.svc.cluster.local A 10.43.0.10'),
    );
    const h = q('_pg._tcp.db.testns.svc.cluster.local', 'SRV');
    assert.deepEqual(answers(h), [
      '_pg._tcp.db.testns.svc.cluster.local SRV 50 5432 db-0.db.testns.svc.cluster.local',
      '_pg._tcp.db.testns.svc.cluster.local SRV 50 5432 10-42-0-6.db.testns.svc.cluster.local',
    ]);
  });
  it('ExternalName is a CNAME whatever the type asked', () => {
    for (const t of ['A', 'AAAA', 'SRV'])
      assert.deepEqual(answers(q('ext.testns.svc.cluster.local', t)), [
        'ext.testns.svc.cluster.local CNAME external.example.com',
      ]);
  });
  it('pod A records only for pods that exist there (verified)', () => {
    assert.deepEqual(answers(q('10-42-0-20.testns.pod.cluster.local')), [
      '10-42-0-20.testns.pod.cluster.local A 10.42.0.20',
    ]);
    assert.equal(rcode(q('10-42-0-21.testns.pod.cluster.local')), 'NXDOMAIN');
    assert.equal(rcode(q('192-168-1-10.testns.pod.cluster.local')), 'NXDOMAIN', 'host-network pod');
    const insecure = resolve(index, '10-9-9-9.testns.pod.cluster.local', 'A', { ...OPTS, pods: 'insecure' });
    assert.deepEqual(answers(insecure), ['10-9-9-9.testns.pod.cluster.local A 10.9.9.9']);
  });
  it('PTR for service, headless endpoint and pod IPs; unknown IPs are forwarded', () => {
    assert.deepEqual(answers(q('10.0.43.10.in-addr.arpa', 'PTR')), [
      '10.0.43.10.in-addr.arpa PTR web.testns.svc.cluster.local',
    ]);
    assert.deepEqual(answers(q('5.0.42.10.in-addr.arpa', 'PTR')), [
      '5.0.42.10.in-addr.arpa PTR db-0.db.testns.svc.cluster.local',
    ]);
    assert.deepEqual(answers(q('20.0.42.10.in-addr.arpa', 'PTR')), [
      '20.0.42.10.in-addr.arpa PTR 10-42-0-20.testns.pod.cluster.local',
    ]);
    assert.equal(rcode(q('1.2.3.4.in-addr.arpa', 'PTR')), 'FORWARD');
  });
  it("mixed case: matched case-insensitively, answered in the asker's spelling", () => {
    assert.deepEqual(answers(q('WeB.TestNS.svc.Cluster.Local')), [
      'WeB.TestNS.svc.Cluster.Local A 10.43.0.10',
    ]);
  });
  it('zone apex holds SOA and NS; dns-version TXT', () => {
    assert.deepEqual(answers(q('cluster.local', 'NS')), ['cluster.local NS ns.dns.cluster.local']);
    assert.equal(answers(q('cluster.local', 'SOA')).length, 1);
    assert.equal(answers(q('dns-version.cluster.local', 'TXT'))[0], 'dns-version.cluster.local TXT 1.1.0');
  });
  it('names outside the zone are forwarded', () => {
    assert.equal(rcode(q('example.com')), 'FORWARD');
  });
});

describe('resolve: NXDOMAIN versus NODATA', () => {
  const nodata = [
    ['web.testns.svc.cluster.local', 'AAAA'],
    ['web.testns.svc.cluster.local', 'TXT'],
    ['svc.cluster.local', 'A'],
    ['pod.cluster.local', 'A'],
    ['testns.svc.cluster.local', 'A'],
    ['_udp.web.testns.svc.cluster.local', 'SRV'],
    ['_tcp.db.testns.svc.cluster.local', 'SRV'],
    ['dns.cluster.local', 'A'],
    ['ns.dns.cluster.local', 'A'],
    ['cluster.local', 'A'],
  ];
  for (const [name, type] of nodata)
    it(`${name} ${type} → NODATA with SOA`, () =>
      assert.ok(isNoData(q(name, type)), JSON.stringify(q(name, type))));

  const nx = [
    'example.cluster.local',
    'nope.testns.svc.cluster.local',
    'web.nope.svc.cluster.local',
    'nope.svc.cluster.local',
    'cold.testns.svc.cluster.local',
    '_http._udp.web.testns.svc.cluster.local',
    'http._tcp.web.testns.svc.cluster.local',
    'example._http._tcp.web.testns.svc.cluster.local',
    '10-43-0-10.web.testns.svc.cluster.local',
    '_tcp.ext.testns.svc.cluster.local',
    'www.example.com.cluster.local',
    'www.example.com.svc.cluster.local',
    'www.example.com.testns.svc.cluster.local',
    'example.dns.cluster.local',
  ];
  for (const name of nx)
    it(`${name} → NXDOMAIN with SOA`, () => {
      const r = q(name);
      assert.equal(rcode(r), 'NXDOMAIN');
      assert.ok(r.kind === 'answer' && r.authorities[0]?.type === 'SOA');
    });

  it('before the informers synced, a data miss is SERVFAIL but a malformed name stays NXDOMAIN', () => {
    const idx = new ClusterIndex({ synced: false });
    idx.upsertService(services[0]);
    assert.equal(rcode(q('nope.testns.svc.cluster.local', 'A', idx)), 'SERVFAIL');
    assert.equal(rcode(q('example.cluster.local', 'A', idx)), 'NXDOMAIN');
    idx.synced = true;
    assert.equal(rcode(q('nope.testns.svc.cluster.local', 'A', idx)), 'NXDOMAIN');
  });

  it('follows updates and deletions', () => {
    const idx = fixtureIndex();
    idx.removeService('testns', 'web');
    assert.equal(rcode(q('web.testns.svc.cluster.local', 'A', idx)), 'NXDOMAIN');
    assert.equal(rcode(q('10.0.43.10.in-addr.arpa', 'PTR', idx)), 'FORWARD');
    idx.removeEndpointSlice('testns', 'db-abc');
    assert.equal(rcode(q('db.testns.svc.cluster.local', 'A', idx)), 'NXDOMAIN');
    idx.removePod('testns', 'p1');
    assert.equal(rcode(q('10-42-0-20.testns.pod.cluster.local', 'A', idx)), 'NXDOMAIN');
  });
});
