// The cluster DNS server: UDP and TCP on one address, answering the cluster zone from the
// ClusterIndex and forwarding everything else. Large UDP answers are truncated (TC) so clients
// retry over TCP, as every resolver does.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { Answer, DecodedPacket, OptAnswer, Packet, Question } from 'dns-packet';
import * as dnsPacket from 'dns-packet';
import { createLogger, type Logger } from '../util/log.ts';
import type { ClusterIndex } from './cluster-index.ts';
import { Forwarder } from './forwarder.ts';
import { DEFAULT_CLUSTER_DOMAIN } from './names.ts';
import { DEFAULT_TTL_SECONDS, type PodRecordsMode, resolve } from './resolve.ts';

/** RFC 1035's UDP limit for clients that send no EDNS0 OPT record. */
export const CLASSIC_UDP_SIZE = 512;
/** The EDNS0 buffer size we advertise and cap at (DNS Flag Day 2020's recommendation). */
export const EDNS_UDP_SIZE = 1232;
/** An idle TCP client is dropped after this long. */
const TCP_IDLE_MS = 10_000;
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3 } as const;
const HEADER_BYTES = 12;

export interface DnsServerOptions {
  index: ClusterIndex;
  /** Listen address; tests use 127.0.0.x. Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port (the same for UDP and TCP). Default 53. */
  port?: number;
  zone?: string;
  ttl?: number;
  pods?: PodRecordsMode;
  /** Resolvers for names outside the zone (`ip` or `ip:port`). None: those get SERVFAIL. */
  upstreams?: readonly string[];
  forwardTimeoutMs?: number;
  logger?: Logger;
}

export interface DnsServerStats {
  queries: number;
  forwarded: number;
  servfail: number;
  truncated: number;
}

type Transport = 'udp' | 'tcp';

export class DnsServer {
  readonly #opts: DnsServerOptions;
  readonly #forwarder: Forwarder;
  readonly #log: Logger;
  readonly #serial = Math.floor(Date.now() / 1000);
  #udp: UdpSocket | undefined;
  #tcp: Server | undefined;
  readonly #conns = new Set<Socket>();
  readonly stats: DnsServerStats = { queries: 0, forwarded: 0, servfail: 0, truncated: 0 };

  constructor(opts: DnsServerOptions) {
    this.#opts = opts;
    this.#forwarder = new Forwarder(opts.upstreams ?? [], { timeoutMs: opts.forwardTimeoutMs });
    this.#log = opts.logger ?? createLogger({ component: 'dns' });
  }

  /** Binds UDP then TCP on the same port; resolves with the address both listen on. */
  async start(): Promise<{ host: string; port: number }> {
    const host = this.#opts.host ?? '127.0.0.1';
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((res, rej) => {
      udp.once('error', rej);
      udp.bind(this.#opts.port ?? 53, host, () => {
        udp.off('error', rej);
        res();
      });
    });
    const port = udp.address().port;
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, 'udp').then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    udp.on('error', (err) => this.#log.warn('dns udp error', { error: String(err) }));
    this.#udp = udp;
    const tcp = createServer((sock) => this.#serveTcp(sock));
    await new Promise<void>((res, rej) => {
      tcp.once('error', rej);
      tcp.listen(port, host, () => {
        tcp.off('error', rej);
        res();
      });
    }).catch((err: unknown) => {
      udp.close();
      throw err;
    });
    this.#tcp = tcp;
    return { host, port };
  }

  #serveTcp(sock: Socket): void {
    this.#conns.add(sock);
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
    sock.on('close', () => this.#conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      // Several length-prefixed queries may arrive in one chunk (pipelining), or one across chunks.
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.handle(msg, 'tcp').then((reply) => {
          if (!reply || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([len, reply]));
        });
      }
    });
  }

  /** One wire query in, one wire reply out (undefined: drop, the query was not even a header). */
  async handle(raw: Buffer, transport: Transport): Promise<Buffer | undefined> {
    this.stats.queries++;
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      return raw.length >= HEADER_BYTES ? this.#error(raw.readUInt16BE(0), RCODE.FORMERR) : undefined;
    }
    const q = query.questions?.[0];
    if (query.type !== 'query' || !q || query.questions!.length !== 1)
      return this.#error(query.id ?? 0, RCODE.FORMERR);
    const opt = query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
    const limit =
      transport === 'tcp'
        ? Number.POSITIVE_INFINITY
        : Math.max(CLASSIC_UDP_SIZE, Math.min(opt?.udpPayloadSize ?? 0, EDNS_UDP_SIZE));
    const rd = query.flags! & dnsPacket.RECURSION_DESIRED;
    const res = resolve(this.#opts.index, q.name, q.type, {
      zone: this.#opts.zone ?? DEFAULT_CLUSTER_DOMAIN,
      ttl: this.#opts.ttl ?? DEFAULT_TTL_SECONDS,
      serial: this.#serial,
      pods: this.#opts.pods ?? 'verified',
    });
    if (res.kind === 'forward') {
      this.stats.forwarded++;
      try {
        const reply = await this.#forwarder.forward(raw);
        if (reply.length <= limit) return reply;
        return this.#encode(
          { id: query.id, flags: rd | dnsPacket.TRUNCATED_RESPONSE, questions: [q] },
          opt,
          limit,
        );
      } catch (err) {
        this.#log.debug('dns forward failed', { name: q.name, error: String(err) });
        return this.#error(query.id ?? 0, RCODE.SERVFAIL, q, rd);
      }
    }
    if (res.rcode === 'SERVFAIL') this.stats.servfail++;
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | rd | dnsPacket.RECURSION_AVAILABLE | RCODE[res.rcode];
    return this.#encode(
      {
        id: query.id,
        flags,
        questions: [q],
        answers: res.answers,
        authorities: res.authorities,
        additionals: res.additionals,
      },
      opt,
      limit,
    );
  }

  #encode(packet: Packet, opt: OptAnswer | undefined, limit: number): Buffer {
    const ednsOpt: Answer[] = opt
      ? [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: EDNS_UDP_SIZE,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ]
      : [];
    const full: Packet = {
      ...packet,
      type: 'response',
      additionals: [...(packet.additionals ?? []), ...ednsOpt],
    };
    const buf = dnsPacket.encode(full);
    if (buf.length <= limit) return buf;
    // Too big for this UDP client: header + question only, TC set, so it retries over TCP.
    this.stats.truncated++;
    return dnsPacket.encode({
      type: 'response',
      id: packet.id,
      flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
      questions: packet.questions,
      additionals: ednsOpt,
    });
  }

  #error(id: number, rcode: number, question?: Question, rd = 0): Buffer {
    if (rcode === RCODE.SERVFAIL) this.stats.servfail++;
    return dnsPacket.encode({
      type: 'response',
      id,
      flags: rd | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: question ? [question] : [],
    });
  }

  async close(): Promise<void> {
    for (const c of this.#conns) c.destroy();
    const udp = this.#udp;
    const tcp = this.#tcp;
    this.#udp = undefined;
    this.#tcp = undefined;
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
  }
}
