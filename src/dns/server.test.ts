// Real UDP and TCP queries against the server on 127.0.0.x, with dns-packet as the client, and a
// stub upstream resolver this test starts (never the machine's resolver).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { DecodedPacket } from 'dns-packet';
import * as dnsPacket from 'dns-packet';
import { createLogger } from '../util/log.ts';
import { DnsServer } from './server.ts';
import { fixtureIndex, HEADLESS_BIG_ENDPOINTS, HEADLESS_MID_ENDPOINTS } from './test-fixtures.ts';

const SERVER_HOST = '127.0.0.10';
const STUB_HOST = '127.0.0.53';
const STUB_ANSWER = '192.0.2.44';
const FORWARD_TIMEOUT_MS = 300;
type Reply = DecodedPacket & { rcode?: string };

let nextId = 1;
const query = (name: string, type: string, edns = false): Buffer =>
  dnsPacket.encode({
    type: 'query',
    id: nextId++,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A' }],
    ...(edns
      ? {
          additionals: [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: 1232,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
        }
      : {}),
  });

function udpAsk(port: number, name: string, type = 'A', edns = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no UDP reply for ${name}`));
    }, 3000);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(msg) as Reply);
    });
    sock.send(query(name, type, edns), port, SERVER_HOST);
  });
}

function tcpAsk(port: number, name: string, type = 'A'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: SERVER_HOST, port });
    let buf = Buffer.alloc(0);
    sock.setTimeout(3000, () => {
      sock.destroy();
      reject(new Error(`no TCP reply for ${name}`));
    });
    sock.on('error', reject);
    sock.on('connect', () => sock.write(dnsPacket.streamEncode({ ...dnsPacket.decode(query(name, type)) })));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.destroy();
        resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as Reply);
      }
    });
  });
}

/** A resolver that answers every A question with STUB_ANSWER. */
async function startStub(): Promise<{ sock: Socket; port: number }> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.RECURSION_AVAILABLE,
      questions: q.questions,
      answers: [{ type: 'A', name: q.questions![0].name, ttl: 30, class: 'IN', data: STUB_ANSWER }],
    });
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, STUB_HOST, () => r()));
  return { sock, port: sock.address().port };
}

const data = (r: Reply): string[] =>
  (r.answers ?? []).map((a) => `${a.type} ${JSON.stringify((a as { data?: unknown }).data)}`);
const quiet = createLogger({ level: 'error', write: () => {} });

describe('DnsServer over real sockets', () => {
  let stub: { sock: Socket; port: number };
  let server: DnsServer;
  let port: number;

  before(async () => {
    stub = await startStub();
    server = new DnsServer({
      index: fixtureIndex(),
      host: SERVER_HOST,
      port: 0,
      upstreams: [`${STUB_HOST}:${stub.port}`],
      forwardTimeoutMs: FORWARD_TIMEOUT_MS,
      logger: quiet,
    });
    ({ port } = await server.start());
  });

  after(async () => {
    await server.close();
    await new Promise<void>((r) => stub.sock.close(() => r()));
  });

  it('answers A, headless, endpoint hostname, SRV, pod, PTR and CNAME over UDP', async () => {
    const a = await udpAsk(port, 'web.testns.svc.cluster.local');
    assert.equal(a.rcode, 'NOERROR');
    assert.ok(a.flag_aa, 'authoritative');
    assert.equal((a.answers?.[0] as { ttl?: number } | undefined)?.ttl, 5);
    assert.deepEqual(data(a), ['A "10.43.0.10"']);
    assert.deepEqual(data(await udpAsk(port, 'db.testns.svc.cluster.local')), [
      'A "10.42.0.5"',
      'A "10.42.0.6"',
    ]);
    assert.deepEqual(data(await udpAsk(port, 'db-0.db.testns.svc.cluster.local')), ['A "10.42.0.5"']);
    const srv = await udpAsk(port, '_http._tcp.web.testns.svc.cluster.local', 'SRV');
    assert.deepEqual(data(srv), [
      'SRV {"priority":0,"weight":100,"port":80,"target":"web.testns.svc.cluster.local"}',
    ]);
    assert.equal(srv.additionals?.[0].type, 'A');
    assert.deepEqual(data(await udpAsk(port, '10-42-0-20.testns.pod.cluster.local')), ['A "10.42.0.20"']);
    assert.deepEqual(data(await udpAsk(port, '10.0.43.10.in-addr.arpa', 'PTR')), [
      'PTR "web.testns.svc.cluster.local"',
    ]);
    assert.deepEqual(data(await udpAsk(port, 'ext.testns.svc.cluster.local')), [
      'CNAME "external.example.com"',
    ]);
  });

  it('NXDOMAIN and NODATA both carry the SOA', async () => {
    const nx = await udpAsk(port, 'nope.testns.svc.cluster.local');
    assert.equal(nx.rcode, 'NXDOMAIN');
    assert.equal(nx.authorities?.[0].type, 'SOA');
    const nodata = await udpAsk(port, 'web.testns.svc.cluster.local', 'AAAA');
    assert.equal(nodata.rcode, 'NOERROR');
    assert.equal(nodata.answers?.length, 0);
    assert.equal(nodata.authorities?.[0].type, 'SOA');
  });

  it('forwards other names to the upstream and relays its answer', async () => {
    const r = await udpAsk(port, 'www.example.org');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(data(r), [`A "${STUB_ANSWER}"`]);
    const t = await tcpAsk(port, 'tcp.example.org');
    assert.deepEqual(data(t), [`A "${STUB_ANSWER}"`]);
  });

  it('truncates a large UDP answer and serves it whole over TCP', async () => {
    const udp = await udpAsk(port, 'big.testns.svc.cluster.local');
    assert.ok(udp.flag_tc, 'TC set');
    assert.equal(udp.answers?.length ?? 0, 0);
    const tcp = await tcpAsk(port, 'big.testns.svc.cluster.local');
    assert.ok(!tcp.flag_tc);
    assert.equal(tcp.answers?.length, HEADLESS_BIG_ENDPOINTS);
    // EDNS0 raises the UDP limit from 512 to 1232 bytes.
    assert.ok((await udpAsk(port, 'mid.testns.svc.cluster.local')).flag_tc);
    const edns = await udpAsk(port, 'mid.testns.svc.cluster.local', 'A', true);
    assert.ok(!edns.flag_tc);
    assert.equal(edns.answers?.length, HEADLESS_MID_ENDPOINTS);
    assert.equal(edns.additionals?.find((a) => a.type === 'OPT')?.type, 'OPT', 'OPT echoed');
  });

  it('answers several pipelined queries on one TCP connection', async () => {
    const names = [
      'web.testns.svc.cluster.local',
      'db.testns.svc.cluster.local',
      'nope.testns.svc.cluster.local',
    ];
    const replies = await new Promise<Reply[]>((resolve, reject) => {
      const sock = connect({ host: SERVER_HOST, port });
      const got: Reply[] = [];
      let buf = Buffer.alloc(0);
      sock.on('error', reject);
      sock.on('connect', () =>
        sock.write(Buffer.concat(names.map((n) => dnsPacket.streamEncode(dnsPacket.decode(query(n, 'A')))))),
      );
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          got.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as Reply);
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (got.length === names.length) {
          sock.destroy();
          resolve(got);
        }
      });
    });
    assert.deepEqual(replies.map((r) => r.rcode).sort(), ['NOERROR', 'NOERROR', 'NXDOMAIN']);
  });

  it('answers SERVFAIL when the upstream is down', async () => {
    // A port nobody listens on: the stub's socket is closed for this server.
    const dead = createSocket('udp4');
    await new Promise<void>((r) => dead.bind(0, STUB_HOST, () => r()));
    const deadPort = dead.address().port;
    await new Promise<void>((r) => dead.close(() => r()));
    const lonely = new DnsServer({
      index: fixtureIndex(),
      host: SERVER_HOST,
      port: 0,
      upstreams: [`${STUB_HOST}:${deadPort}`],
      forwardTimeoutMs: FORWARD_TIMEOUT_MS,
      logger: quiet,
    });
    const { port: lonelyPort } = await lonely.start();
    try {
      const t0 = performance.now();
      const r = await udpAsk(lonelyPort, 'www.example.org');
      assert.equal(r.rcode, 'SERVFAIL');
      assert.ok(performance.now() - t0 < FORWARD_TIMEOUT_MS + 1000);
      assert.deepEqual(r.questions?.[0].name, 'www.example.org');
    } finally {
      await lonely.close();
    }
  });

  it('answers FORMERR to garbage with a header', async () => {
    const r = await server.handle(Buffer.from('abcdefghijklmnop'), 'udp');
    assert.ok(r);
    assert.equal((dnsPacket.decode(r) as Reply).rcode, 'FORMERR');
  });
});
