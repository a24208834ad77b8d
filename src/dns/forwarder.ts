// Sends questions that are not ours to upstream resolvers: UDP first, TCP when the upstream
// truncates, the next upstream on timeout. The caller answers SERVFAIL when this throws.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

/** CoreDNS's forward plugin gives an upstream about 2 s before trying the next one. */
export const DEFAULT_FORWARD_TIMEOUT_MS = 2_000;
export const DNS_PORT = 53;
/** TC bit in the header flags (byte 2, bit 1). */
const TC_BYTE = 2;
const TC_MASK = 0x02;

export interface Upstream {
  host: string;
  port: number;
}

/** `1.2.3.4`, `1.2.3.4:5353`, `[::1]:53` → host and port. */
export function parseUpstream(s: string): Upstream {
  const v6 = /^\[(.+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1], port: Number(v6[2] ?? DNS_PORT) };
  const parts = s.split(':');
  if (parts.length === 2) return { host: parts[0], port: Number(parts[1]) };
  return { host: s, port: DNS_PORT };
}

export class ForwardError extends Error {
  override name = 'ForwardError';
}

const sameId = (a: Buffer, b: Buffer): boolean =>
  a.length >= 2 && b.length >= 2 && a[0] === b[0] && a[1] === b[1];

function viaUdp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(up.host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(
      () => done(new ForwardError(`upstream ${up.host}:${up.port} timed out`)),
      timeoutMs,
    );
    const done = (err?: Error, msg?: Buffer) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    sock.on('error', (e) => done(e));
    sock.on('message', (msg) => {
      // Ignore strays: only the reply to our id counts.
      if (sameId(msg, query)) done(undefined, msg);
    });
    sock.send(query, up.port, up.host);
  });
}

function viaTcp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: up.host, port: up.port });
    let buf: Buffer = Buffer.alloc(0);
    sock.setTimeout(timeoutMs, () => {
      sock.destroy();
      reject(new ForwardError(`upstream ${up.host}:${up.port} (tcp) timed out`));
    });
    sock.on('error', reject);
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.end(Buffer.concat([len, query]));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
  });
}

export class Forwarder {
  readonly #upstreams: Upstream[];
  readonly #timeoutMs: number;

  constructor(upstreams: readonly string[], opts: { timeoutMs?: number } = {}) {
    this.#upstreams = upstreams.map(parseUpstream);
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS;
  }

  get size(): number {
    return this.#upstreams.length;
  }

  /** The upstream's reply to `query` (same id), trying each upstream in turn. */
  async forward(query: Buffer): Promise<Buffer> {
    let last: unknown = new ForwardError('no upstream resolvers configured');
    for (const up of this.#upstreams) {
      try {
        const reply = await viaUdp(up, query, this.#timeoutMs);
        if ((reply[TC_BYTE] & TC_MASK) === 0) return reply;
        return await viaTcp(up, query, this.#timeoutMs);
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }
}
