// How the client reaches an API server. Both transports speak real HTTP/1.1 through node:http's
// client (so framing, chunked watches and keep-alive behave identically): the HTTPS one over a
// socket, the loopback one over an in-process stream pair (loopback-transport.ts).
import type { Agent, IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { nodeHttp } from '../util/node-builtins.ts';

export interface TransportRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/namespaces/default/pods?limit=500`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as it arrives (a watch streams forever); read it or destroy it. */
  body: Readable;
}

export interface Transport {
  /** Resolves once the response headers arrived; rejects on connection errors or abort. */
  request(req: TransportRequest): Promise<TransportResponse>;
  /** Closes idle connections and refuses further use. */
  close(): void;
}

/** What an HTTP(S) transport needs: where to go, through which agent, with which fixed headers. */
export interface NodeHttpTransportOptions {
  /** `https://host:port` or `http://host:port` (an optional path prefix is kept). */
  server: string;
  agent: Agent;
  /**
   * Watches (`watch=true|1` in the query): held open for minutes, they get a pool of their own, so
   * a cap on `agent` limits concurrent requests without watches using it up (default: `agent`).
   */
  watchAgent?: Agent;
  /** Sent with every request (User-Agent, a static Authorization). */
  headers?: Record<string, string>;
  /** The Authorization header per request (a token file re-read as it rotates). */
  authorization?: () => string | undefined;
}

export class NodeHttpTransport implements Transport {
  readonly #url: URL;
  readonly #agent: Agent;
  readonly #watchAgent: Agent;
  readonly #headers: Record<string, string>;
  readonly #auth: (() => string | undefined) | undefined;
  readonly #request: typeof nodeHttp.request;

  constructor(opts: NodeHttpTransportOptions) {
    this.#url = new URL(opts.server);
    this.#agent = opts.agent;
    this.#watchAgent = opts.watchAgent ?? opts.agent;
    this.#headers = opts.headers ?? {};
    this.#auth = opts.authorization;
    this.#request = this.#url.protocol === 'https:' ? httpsRequest : nodeHttp.request;
  }

  request(r: TransportRequest): Promise<TransportResponse> {
    const prefix = this.#url.pathname.replace(/\/+$/, '');
    const headers: Record<string, string> = { ...this.#headers, ...r.headers };
    const auth = this.#auth?.();
    if (auth) headers.Authorization = auth;
    // Node frames a body on DELETE neither by length nor chunked unless told: always say its length.
    if (r.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(r.body));
    return new Promise((resolve, reject) => {
      const req = this.#request(
        {
          protocol: this.#url.protocol,
          hostname: this.#url.hostname.replace(/^\[|\]$/g, ''),
          port: this.#url.port || undefined,
          path: prefix + r.path,
          method: r.method,
          headers,
          agent: isWatch(r.path) ? this.#watchAgent : this.#agent,
          signal: r.signal,
        },
        (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
      req.on('error', reject);
      req.end(r.body);
    });
  }

  close(): void {
    this.#agent.destroy();
    if (this.#watchAgent !== this.#agent) this.#watchAgent.destroy();
  }
}

/** A watch request: `watch=true` or `watch=1` in the query. */
export const isWatch = (path: string): boolean => /[?&]watch=(?:true|1)(?:&|$)/.test(path);
