// A real Distribution registry (Debian's docker-registry) on 127.0.0.1 for tests, optionally behind
// token auth (a tiny token server signing RS256 JWTs with a self-signed certificate the registry
// trusts) or a basic-auth proxy; plus a small push client (blob upload POST + PUT, manifest PUT).
// Everything lives in one temp dir and one process per server, stopped by PID in `stop()`.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importPKCS8, SignJWT } from 'jose';
import { parseChallenges } from '../../src/agent/runtime/images/auth-challenge.ts';
import type { Blob, OciImage, OciIndex } from './images.ts';

const execFileP = promisify(execFile);
export const REGISTRY_BIN = '/usr/bin/docker-registry';
const TOKEN_SERVICE = 'skiff-test-registry';
const TOKEN_ISSUER = 'skiff-test-issuer';
/** How long the registry gets to answer /v2/ after start. */
const READY_TIMEOUT_MS = 15_000;

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT` */
  host: string;
  stop(): Promise<void>;
}

export interface TestRegistry extends TestServer {
  pid: number;
  /** Requests the token server saw (for asserting the flow), when token auth is on. */
  tokenRequests: { scope: string | null; service: string | null; user: string | null }[];
}

export interface RegistryOptions {
  /** Token auth; `users` are accepted as basic credentials at the token endpoint. */
  token?: { users: Record<string, string>; allowAnonymousPull?: boolean };
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** freePort() can race another test binding the same port before the registry does. */
class PortTakenError extends Error {}
const PORT_ATTEMPTS = 3;

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegistryOnce(opts);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

async function startRegistryOnce(opts: RegistryOptions): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-registry-'));
  const port = await freePort();
  const tokenRequests: TestRegistry['tokenRequests'] = [];
  let tokenServer: Server | undefined;
  let authYaml = '';
  if (opts.token) {
    const { server, port: tport } = await startTokenServer(dir, opts.token, tokenRequests);
    tokenServer = server;
    authYaml = [
      'auth:',
      '  token:',
      `    realm: http://127.0.0.1:${tport}/token`,
      `    service: ${TOKEN_SERVICE}`,
      `    issuer: ${TOKEN_ISSUER}`,
      `    rootcertbundle: ${join(dir, 'token.crt')}`,
    ].join('\n');
  }
  const config = [
    'version: 0.1',
    'log: {level: error, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
    `http: {addr: "127.0.0.1:${port}"}`,
    authYaml,
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await killAndWait(child);
    if (tokenServer) await new Promise<void>((r) => tokenServer!.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${url}/v2/`, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, host: `127.0.0.1:${port}`, pid: child.pid!, tokenRequests, stop };
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const msg = `docker-registry exited (${child.exitCode}): ${stderr()}`;
      throw /address already in use/.test(stderr()) ? new PortTakenError(msg) : new Error(msg);
    }
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      // Only the registry sends this header: anything else answering is another test's server that
      // took the port first (this registry will then exit failing to bind, and be retried).
      const isRegistry = res.headers.get('docker-distribution-api-version') === 'registry/2.0';
      if (isRegistry && (res.status === 200 || res.status === 401)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry not ready after ${READY_TIMEOUT_MS} ms: ${stderr()}`);
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function startTokenServer(
  dir: string,
  token: NonNullable<RegistryOptions['token']>,
  log: TestRegistry['tokenRequests'],
): Promise<{ server: Server; port: number }> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await execFileP('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '1',
    '-subj',
    '/CN=skiff-test-token-signer',
  ]);
  const key = await importPKCS8(await readFile(keyPath, 'utf8'), 'RS256');
  const certPem = await readFile(certPath, 'utf8');
  const x5c = certPem
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '')
    .trim();
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const scope = url.searchParams.get('scope');
      const service = url.searchParams.get('service');
      let user: string | null = null;
      const auth = req.headers.authorization;
      if (auth?.startsWith('Basic ')) {
        const [u, p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
        if (token.users[u] !== p) {
          res.writeHead(401).end('bad credentials');
          log.push({ scope, service, user: u });
          return;
        }
        user = u;
      }
      log.push({ scope, service, user });
      if (!user && !token.allowAnonymousPull) {
        res.writeHead(401).end('credentials required');
        return;
      }
      const access = [];
      const m = /^repository:([^:]+):(.+)$/.exec(scope ?? '');
      if (m) {
        const wanted = m[2].split(',');
        access.push({
          type: 'repository',
          name: m[1],
          actions: user ? wanted : wanted.filter((a) => a === 'pull'),
        });
      }
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({ access })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5c: [x5c] })
        .setIssuer(TOKEN_ISSUER)
        .setSubject(user ?? 'anonymous')
        .setAudience(service ?? TOKEN_SERVICE)
        .setIssuedAt(now)
        .setNotBefore(now - 10)
        .setExpirationTime(now + 300)
        .setJti(randomUUID())
        .sign(key);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token: jwt, expires_in: 300, issued_at: new Date().toISOString() }));
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

export interface ProxyOptions {
  /** Demand these basic credentials (Distribution's own htpasswd auth needs bcrypt hashes). */
  basicAuth?: { username: string; password: string };
  /** Serve this blob with its bytes flipped (same length): a registry that lies about content. */
  corruptBlob?: string;
}

/** An HTTP proxy in front of a registry, for auth and tampering scenarios. */
export async function startProxy(
  target: string,
  opts: ProxyOptions = {},
): Promise<TestServer & { rejected: number }> {
  const upstream = new URL(target);
  const expected = opts.basicAuth
    ? `Basic ${Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64')}`
    : undefined;
  const state = { rejected: 0 };
  const server = createServer((req, res) => {
    if (expected && req.headers.authorization !== expected) {
      state.rejected++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="skiff-test"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    const corrupt = opts.corruptBlob !== undefined && req.url?.endsWith(`/blobs/${opts.corruptBlob}`);
    const preq = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (pres) => {
        if (!corrupt || pres.statusCode !== 200) {
          res.writeHead(pres.statusCode ?? 502, pres.headers);
          pres.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        pres.on('data', (c: Buffer) => chunks.push(c));
        pres.on('end', () => {
          const body = Buffer.concat(chunks);
          for (let i = 0; i < body.length; i++) body[i] ^= 0xff;
          res.writeHead(200, { ...pres.headers, 'content-length': String(body.length) });
          res.end(body);
        });
      },
    );
    preq.on('error', () => res.writeHead(502).end());
    req.pipe(preq);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    get rejected() {
      return state.rejected;
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface PushAuth {
  username: string;
  password: string;
}

/** Minimal push client: handles basic and bearer challenges like a real client. */
class Pusher {
  readonly #base: string;
  readonly #repo: string;
  readonly #auth: PushAuth | undefined;
  #header: string | undefined;

  constructor(base: string, repo: string, auth?: PushAuth) {
    this.#base = base;
    this.#repo = repo;
    this.#auth = auth;
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const send = () =>
      fetch(url, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          ...(this.#header ? { Authorization: this.#header } : {}),
        },
      });
    let res = await send();
    if (res.status !== 401) return res;
    await res.body?.cancel();
    const [challenge] = parseChallenges(res.headers.get('www-authenticate') ?? '');
    const basic = this.#auth
      ? `Basic ${Buffer.from(`${this.#auth.username}:${this.#auth.password}`).toString('base64')}`
      : undefined;
    if (challenge?.scheme === 'basic' && basic) this.#header = basic;
    else if (challenge?.scheme === 'bearer') {
      const t = new URL(challenge.params.realm);
      t.searchParams.set('service', challenge.params.service ?? '');
      t.searchParams.set('scope', `repository:${this.#repo}:pull,push`);
      const tr = await fetch(t, { headers: basic ? { Authorization: basic } : {} });
      if (!tr.ok) throw new Error(`token endpoint: HTTP ${tr.status}`);
      this.#header = `Bearer ${((await tr.json()) as { token: string }).token}`;
    } else throw new Error(`push: unexpected challenge ${res.headers.get('www-authenticate')}`);
    res = await send();
    return res;
  }

  async blob(b: Blob): Promise<void> {
    const head = await this.fetch(`${this.#base}/v2/${this.#repo}/blobs/${b.digest}`, { method: 'HEAD' });
    if (head.status === 200) return;
    const start = await this.fetch(`${this.#base}/v2/${this.#repo}/blobs/uploads/`, { method: 'POST' });
    await start.body?.cancel();
    if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
    const location = new URL(start.headers.get('location')!, this.#base);
    location.searchParams.set('digest', b.digest);
    const put = await this.fetch(location.toString(), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(b.size) },
      body: b.data,
    });
    const text = await put.text();
    if (put.status !== 201) throw new Error(`blob upload ${b.digest}: HTTP ${put.status} ${text}`);
  }

  async manifest(reference: string, b: Blob): Promise<void> {
    const res = await this.fetch(`${this.#base}/v2/${this.#repo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'Content-Type': b.mediaType },
      body: b.data,
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`manifest PUT ${reference}: HTTP ${res.status} ${text}`);
  }
}

/** Pushes an image (or an index with its images) as `repo:tag`. */
export async function pushImage(
  baseUrl: string,
  repo: string,
  tag: string,
  image: OciImage | OciIndex,
  auth?: PushAuth,
): Promise<void> {
  const p = new Pusher(baseUrl, repo, auth);
  const images = 'index' in image ? image.images : [image];
  for (const img of images) {
    for (const b of [img.config, ...img.layers]) await p.blob(b);
    if ('index' in image) await p.manifest(img.manifest.digest, img.manifest);
  }
  await p.manifest(tag, 'index' in image ? image.index : image.manifest);
}
