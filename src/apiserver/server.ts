// The API server: one node:https listener, the request chain (authenticate → authorize →
// admission → validate → store) and the routes kubectl needs. Kinds are served generically from
// the registry; this file only routes.
//
//   request ─► authn ─► authz ─► route ─┬─ discovery / openapi / health / metrics
//                                       └─ resource ─► handlers (read/write) ─► ResourceStore
//                                                         ▲ watch cache ◄── storage watch
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ApiError, badRequest, methodNotAllowed, notFoundPath, unauthorized } from '../api/errors.ts';
import type { KindDef } from '../api/kinds/types.ts';
import type { KObject } from '../api/object.ts';
import type { StorageBackend } from '../storage/types.ts';
import { nodeHttp } from '../util/node-builtins.ts';
import { apiRows, podStartupRow } from '../util/slo.ts';
import { securityAdmission } from './admission/index.ts';
import type { ResourceQuotaAdmission } from './admission/resource-quota.ts';
import { ServiceAllocator } from './admission/service-allocation.ts';
import type { AuditLog } from './audit/audit-log.ts';
import { auditRequest } from './audit/http-audit.ts';
import type { TokenTable } from './authn/bearer-token.ts';
import { hasImpersonation, impersonate } from './authn/impersonation.ts';
import { createAuthenticator } from './authn/index.ts';
import { ServiceAccountTokens } from './authn/service-account-token.ts';
import { ClusterRoleAggregator } from './authz/aggregation.ts';
import { AuthorizationChain, forbiddenError } from './authz/index.ts';
import type { AuthzAttributes } from './authz/types.ts';
import { WatchedResource } from './authz/watched-resource.ts';
import { CacheManager } from './cache/cache-manager.ts';
import { buildDiscovery, type DiscoveryDocs } from './discovery.ts';
import { handleBinding, handleEviction } from './handlers/pod-subresources.ts';
import { handleGet, handleList, handleWatch } from './handlers/read.ts';
import { handleReview, REVIEW_RESOURCES, type ReviewDeps } from './handlers/reviews.ts';
import { handleTokenRequest, type TokenRequestDeps } from './handlers/token-request.ts';
import {
  handleCreate,
  handleDelete,
  handleDeleteCollection,
  handlePatch,
  handleUpdate,
  parseDryRun,
  toScale,
  type UnknownFieldFinder,
  type WriteDeps,
} from './handlers/write.ts';
import type { ProtobufDecoder } from './http/body.ts';
import { negotiateDiscovery, negotiateObjectFormat, parseAccept } from './http/negotiate.ts';
import { sendError, sendJson, sendRaw } from './http/respond.ts';
import { ApiMetrics } from './metrics.ts';
import { AdmissionChain, type AdmissionPlugin } from './registry/admission.ts';
import { type RequestContext, systemContext, type UserInfo } from './registry/context.ts';
import {
  type MetaUpdateValidator,
  type MetaValidator,
  ResourceStore,
  type StoreDeps,
} from './registry/resource-store.ts';
import { timedBackend } from './registry/timed-backend.ts';
import { ViewStore } from './registry/view-store.ts';
import { parseRequestInfo, type RequestInfo } from './request-info.ts';
import { objectKey } from './storage-keys.ts';
// --- streaming ---
import * as streaming from './streaming/index.ts';

// --- end streaming ---

const createHttpServer = nodeHttp.createServer;

/** The Kubernetes minor we report decides which kubectl the Cloud SDK dispatcher runs. */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0+skiff' };

export interface Authenticator {
  /** Certificates and static tokens answer synchronously; JWTs may need to wait. */
  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined>;
  /** A bare token (TokenReview). */
  authenticateToken?(token: string): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/** Built-in authentication (used when no `authenticator` is given). */
export interface AuthenticationOptions {
  /** Static tokens (--token-auth-file). */
  tokens?: TokenTable;
  /** PEM private key signing service-account tokens; absent: no TokenRequest, no JWTs. */
  serviceAccountKeyPem?: string;
  serviceAccountIssuer?: string;
  /** Accept bootstrap tokens (kube-system/bootstrap-token-* Secrets). */
  bootstrapTokens?: boolean;
}

export interface OpenApiProvider {
  root(): object;
  doc(path: string): { hash: string; json: Buffer } | undefined;
}

export interface ApiServerOptions {
  backend: StorageBackend;
  kinds: readonly KindDef[];
  validateMeta: MetaValidator;
  validateMetaUpdate: MetaUpdateValidator;
  /** TLS material; without it the server speaks plain HTTP (tests of the handlers only). */
  tls?: { cert: string; key: string; ca: string };
  authenticator?: Authenticator;
  // --- security (authn/authz/admission/audit) ---
  authentication?: AuthenticationOptions;
  /** Node + RBAC authorization and the security admission plugins; default on. */
  authorization?: boolean;
  audit?: AuditLog;
  // --- end security ---
  protobuf?: ProtobufDecoder;
  unknownFields?: UnknownFieldFinder;
  openapi?: OpenApiProvider;
  serviceCidr?: string;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** kubeadm-style discovery: anonymous reads reach RBAC (which grants only this object). */
const CLUSTER_INFO_PATH = '/api/v1/namespaces/kube-public/configmaps/cluster-info';
/** Paths anyone may read, as upstream's system:public-info-viewer role allows. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export class ApiServer {
  readonly metrics = new ApiMetrics();
  readonly caches: CacheManager;
  readonly allocator: ServiceAllocator;
  // --- security ---
  readonly authz: AuthorizationChain | undefined;
  readonly tokens: ServiceAccountTokens | undefined;
  readonly #authn: Authenticator | undefined;
  readonly #watched = new Map<string, WatchedResource>();
  readonly #aggregator: ClusterRoleAggregator | undefined;
  readonly #quota: ResourceQuotaAdmission | undefined;
  readonly #reviewDeps: ReviewDeps;
  readonly #tokenDeps: TokenRequestDeps | undefined;
  // --- end security ---
  readonly #o: ApiServerOptions;
  readonly #backend: StorageBackend;
  readonly #stores = new Map<string, ResourceStore>();
  readonly #discovery: DiscoveryDocs;
  readonly #deps: WriteDeps;
  #server: Server | undefined;
  #ready = false;

  constructor(opts: ApiServerOptions) {
    this.#o = opts;
    this.#backend = timedBackend(opts.backend, (op, s) =>
      this.metrics.storageDuration.observe({ operation: op }, s),
    );
    this.caches = new CacheManager(this.#backend, {
      onError: (err) => this.#log('warn', 'storage watch restarted', { err: String(err) }),
    });
    this.allocator = new ServiceAllocator(this.#backend, { serviceCidr: opts.serviceCidr });
    // --- security: authentication, authorization, admission plugins ---
    const watched = (g: string, r: string) => this.#watchedResource(g, r);
    const authOpts = opts.authentication ?? {};
    this.tokens = authOpts.serviceAccountKeyPem
      ? new ServiceAccountTokens({
          privateKeyPem: authOpts.serviceAccountKeyPem,
          issuer: authOpts.serviceAccountIssuer,
          lookups: {
            serviceAccounts: watched('', 'serviceaccounts'),
            pods: watched('', 'pods'),
            nodes: watched('', 'nodes'),
          },
        })
      : undefined;
    this.#authn =
      opts.authenticator ??
      (opts.authentication
        ? createAuthenticator({
            tokens: authOpts.tokens,
            serviceAccounts: this.tokens,
            bootstrapSecrets: authOpts.bootstrapTokens ? watched('', 'secrets') : undefined,
          })
        : undefined);
    const authzOn = opts.authorization ?? true;
    this.authz = authzOn ? new AuthorizationChain(watched) : undefined;
    const security = authzOn
      ? securityAdmission({
          watched,
          authz: this.authz,
          objects: (g, p, ns) => this.#objectsIn(g, p, ns),
          writeQuotaStatus: async (ns, name, status) => {
            await this.store('', 'v1', 'resourcequotas')?.guaranteedUpdate(
              ns,
              name,
              systemContext(),
              (cur) => ({ ...cur, status }),
              'status',
            );
          },
          onError: (err) => this.#log('warn', 'admission background work failed', { err: String(err) }),
        })
      : undefined;
    this.#quota = security?.quota;
    const plugins: AdmissionPlugin[] = [
      ...(security?.before ?? []),
      this.allocator,
      ...(security?.after ?? []),
    ];
    const admission = new AdmissionChain(plugins);
    this.#aggregator = this.authz
      ? new ClusterRoleAggregator(
          this.authz.sources.clusterRoles,
          async (name, rules) => {
            await this.store('rbac.authorization.k8s.io', 'v1', 'clusterroles')?.guaranteedUpdate(
              '',
              name,
              systemContext(),
              (cur) => ({ ...cur, rules }),
            );
          },
          (err) => this.#log('warn', 'clusterrole aggregation failed', { err: String(err) }),
        )
      : undefined;
    this.#reviewDeps = {
      authorizer: this.authz,
      reviewToken: async (token, audiences) => {
        if (audiences && this.tokens) {
          const user = await this.tokens.authenticate(token, audiences);
          return { user, audiences: user ? audiences : [] };
        }
        const user = await this.#authn?.authenticateToken?.(token);
        return { user, audiences: this.tokens?.apiAudiences ?? [] };
      },
    };
    this.#tokenDeps = this.tokens && {
      tokens: this.tokens,
      getObject: async (resource, ns, name) => {
        try {
          return (await this.store('', 'v1', resource)?.get(ns, name))?.obj;
        } catch (err) {
          if ((err as { reason?: string }).reason === 'NotFound') return undefined;
          throw err;
        }
      },
    };
    // --- end security ---
    const namespaces = opts.kinds.find((k) => k.group === '' && k.plural === 'namespaces');
    for (const k of opts.kinds) {
      const deps: StoreDeps = {
        backend: this.#backend,
        caches: this.caches,
        admission,
        validateMeta: opts.validateMeta,
        validateMetaUpdate: opts.validateMetaUpdate,
        namespaceLookup: namespaces ? (name) => this.#lookupNamespace(name) : undefined,
      };
      // A view version (autoscaling/v1 HPA) is served through its stored version's registry.
      const stored = k.viewOf && this.store(k.group, k.viewOf.storedVersion, k.plural);
      if (k.viewOf && !stored)
        throw new Error(`${k.kind} ${k.version}: stored version ${k.viewOf.storedVersion} is not served`);
      this.#stores.set(
        storeId(k.group, k.version, k.plural),
        stored ? new ViewStore(k, stored, deps) : new ResourceStore(k, deps),
      );
    }
    // --- streaming ---
    this.#discovery = buildDiscovery(opts.kinds, [...REVIEW_RESOURCES, ...streaming.METRICS_RESOURCES]);
    this.#metricsApi = new streaming.MetricsApi({
      listNodes: async () => {
        const nodes = this.store('', 'v1', 'nodes');
        if (!nodes) return [];
        const cache = await nodes.cache();
        return [...cache.items.values()].map((e) => e.obj);
      },
      agentTls: () => this.agentClientTls,
    });
    // --- end streaming ---
    this.#deps = {
      caches: this.caches,
      protobuf: opts.protobuf,
      unknownFields: opts.unknownFields,
      onWatch: (d, resource) => this.metrics.watchers.inc({ resource }, d),
    };
  }

  store(group: string, version: string, plural: string): ResourceStore | undefined {
    return this.#stores.get(storeId(group, version, plural));
  }

  // --- security helpers ---
  #watchedResource(group: string, resource: string): WatchedResource {
    const id = `${group}/${resource}`;
    let w = this.#watched.get(id);
    if (!w) {
      w = new WatchedResource(group, resource);
      this.#watched.set(id, w);
    }
    return w;
  }

  /** A namespace's objects of one resource, once the caches caught up with storage (quota usage). */
  async #objectsIn(group: string, plural: string, namespace: string): Promise<KObject[]> {
    const k = this.#o.kinds.find((x) => x.group === group && x.plural === plural && !x.viewOf);
    const store = k && this.store(k.group, k.version, k.plural);
    if (!store) return [];
    const cache = await store.cache();
    await this.caches.sync(CACHE_SYNC_WAIT_MS);
    const prefix = store.prefix(namespace);
    const out: KObject[] = [];
    for (const [key, e] of cache.items) if (key.startsWith(prefix)) out.push(e.obj);
    return out;
  }

  /** The security caches are loaded; default policy can be reconciled and quotas refreshed. */
  async refreshQuotas(namespace: string): Promise<void> {
    await this.#quota?.refreshStatus(namespace);
  }
  // --- end security helpers ---

  async #lookupNamespace(name: string): Promise<KObject | undefined> {
    const key = objectKey('', 'namespaces', '', name);
    const cached = this.caches.peek('core/namespaces')?.items.get(key);
    if (cached) return cached.obj;
    const { kv } = await this.#backend.get(key); // just created: the cache may not have it yet
    return kv ? (JSON.parse(kv.value) as KObject) : undefined;
  }

  #log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void {
    this.#o.log?.(level, msg, fields);
  }

  /** Start the caches and listen. Resolves once /readyz would answer 200. */
  async listen(port: number, host = '127.0.0.1'): Promise<{ port: number; host: string }> {
    await this.caches.start();
    const ns = this.store('', 'v1', 'namespaces');
    if (ns) await ns.cache();
    // --- security: the caches authorization and admission read ---
    await Promise.all([...this.#watched.values()].map((w) => w.start(this.caches)));
    // --- end security ---
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = this.#o.tls;
    this.#server = tls
      ? createHttpsServer(
          { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: false },
          handler,
        )
      : createHttpServer(handler);
    // --- streaming ---
    this.#server.on('upgrade', (req: IncomingMessage, socket: streaming.Duplex, head: Buffer) => {
      void this.#upgrade(req, socket, head);
    });
    // --- end streaming ---
    // Watches, log follows and exec streams are long-lived: no idle timeout on the socket.
    this.#server.requestTimeout = 0;
    this.#server.timeout = 0;
    this.#server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(port, host, () => resolve());
    });
    this.#ready = true;
    const addr = this.#server.address() as AddressInfo;
    return { port: addr.port, host: addr.address };
  }

  // --- streaming ---
  /** The API server's client certificate towards node agents (kubelet-client); set before traffic. */
  agentClientTls: streaming.AgentClientTls | undefined;
  readonly #metricsApi: InstanceType<typeof streaming.MetricsApi>;

  #streamingDeps(): streaming.StreamingDeps {
    return {
      getPod: async (ns, name) => (await this.#required('pods').get(ns, name)).obj,
      getNode: async (name) => (await this.#required('nodes').get('', name)).obj,
      agentTls: () => this.agentClientTls,
    };
  }

  #required(plural: string): ResourceStore {
    const store = this.store('', 'v1', plural);
    if (!store) throw notFoundPath();
    return store;
  }

  /** exec/attach/portforward: authenticate and authorize like any request, then relay to the agent. */
  async #upgrade(req: IncomingMessage, socket: streaming.Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'https://local');
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname.replace(/\/+$/, ''), url.searchParams);
    try {
      const pending = this.#authn ? this.#authn.authenticate(req) : ADMIN_USER;
      const user = pending instanceof Promise ? await pending : pending;
      if (!user) throw unauthorized();
      const isPodStream =
        info.isResourceRequest &&
        info.group === '' &&
        info.resource === 'pods' &&
        streaming.UPGRADE_SUBRESOURCES.includes(info.subresource);
      if (!isPodStream) throw badRequest(`upgrade is not supported on ${url.pathname}`);
      if (this.authz) {
        // Upstream authorizes these as `create` whether the upgrade came as POST (SPDY) or GET (WebSocket).
        const attrs = { ...authzAttributes(info, user), verb: 'create' };
        const d = this.authz.authorize(attrs);
        if (d.decision !== 'allow') throw forbiddenError(attrs, d.reason);
      }
      await streaming.handlePodUpgrade(
        this.#streamingDeps(),
        info.subresource,
        info.namespace,
        info.name,
        url.searchParams,
        req,
        socket,
        head,
      );
    } catch (err) {
      const apiErr = streaming.isApiError(err) ? err : new ApiError(500, 'InternalError', String(err));
      if (apiErr.code >= 500) this.#log('error', 'upgrade failed', { path: url.pathname, err: String(err) });
      streaming.writeUpgradeError(socket, apiErr, JSON.stringify(apiErr.toStatus()));
    }
  }
  // --- end streaming ---

  async close(): Promise<void> {
    this.#ready = false;
    const server = this.#server;
    this.#server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.#aggregator?.stop();
    this.#quota?.stop();
    this.#o.audit?.close();
    await this.caches.close();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = performance.now();
    const url = new URL(req.url ?? '/', 'https://local');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    // --- dashboard ---
    // The UI's static files hold no secrets and are served before authentication; every API call
    // the UI makes carries the user's own token. Loaded on first request: start-up pays nothing.
    if (path === '/dashboard' || path.startsWith('/dashboard/')) {
      // biome-ignore lint/style/noRestrictedImports: the one sanctioned hook (issue #11); serve.ts imports only node:*.
      const { serveDashboard } = await import('../dashboard/serve.ts');
      serveDashboard(req, res);
      return;
    }
    // --- end dashboard ---
    const info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams);
    let code = 200;
    const auditId = crypto.randomUUID();
    try {
      const pending = this.#authn ? this.#authn.authenticate(req) : ADMIN_USER;
      const user = pending instanceof Promise ? await pending : pending;
      const ctx: RequestContext = {
        user: user ?? ANONYMOUS_USER,
        dryRun: false,
        warnings: [],
      };
      // --- impersonation: kubectl --as; each requested attribute authorized for the caller ---
      if (user && hasImpersonation(req.headers)) {
        ctx.impersonator = ctx.user;
        ctx.user = this.authz
          ? impersonate(req.headers, ctx.user, (a) => this.authz!.authorize(a))
          : impersonate(req.headers, ctx.user, () => ({ decision: 'allow', reason: '' }));
      }
      // --- security: audit every request (even refused ones), then authorize ---
      if (this.#o.audit)
        auditRequest(this.#o.audit, info, req, res, ctx, auditId, req.url ?? '/', this.#o.protobuf);
      if (!user && !PUBLIC_PATHS.has(path) && !(req.method === 'GET' && path === CLUSTER_INFO_PATH))
        throw unauthorized();
      if (this.authz && !PUBLIC_PATHS.has(path)) {
        const attrs = authzAttributes(info, ctx.user);
        const d = this.authz.authorize(attrs);
        if (d.decision !== 'allow') throw forbiddenError(attrs, d.reason);
      }
      // --- end security ---
      res.setHeader('Audit-Id', auditId);
      const origWriteHead = res.writeHead.bind(res);
      // Warnings gathered during the request go out as `Warning:` headers, as upstream.
      res.writeHead = ((status: number, ...rest: unknown[]) => {
        code = status;
        if (ctx.warnings.length && !res.headersSent) {
          res.setHeader(
            'Warning',
            ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`),
          );
        }
        return (origWriteHead as (...a: unknown[]) => ServerResponse)(status, ...rest);
      }) as typeof res.writeHead;
      if (info.isResourceRequest) await this.#resource(info, url.searchParams, req, res, ctx);
      else await this.#nonResource(path, req, res);
    } catch (err) {
      if (!res.headersSent) res.setHeader('Audit-Id', auditId);
      code = sendError(res, err, (e) =>
        this.#log('error', 'request failed', { path, err: e instanceof Error ? e.stack : String(e) }),
      );
    } finally {
      if (info.isResourceRequest && info.verb !== 'watch') {
        const labels = {
          verb: info.verb.toUpperCase(),
          group: info.group,
          version: info.version,
          resource: info.resource,
          subresource: info.subresource,
        };
        this.metrics.requestDuration.observe(
          { ...labels, scope: scopeOf(info) },
          (performance.now() - start) / 1000,
        );
        this.metrics.requestTotal.inc({ ...labels, code: String(code) });
      }
    }
  }

  async #nonResource(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method ?? '', path);
    switch (path) {
      case '/version':
        sendJson(res, 200, {
          ...KUBERNETES_VERSION,
          gitCommit: '0000000000000000000000000000000000000000',
          gitTreeState: 'clean',
          buildDate: '2026-11-24T00:00:00Z',
          goVersion: `node${process.versions.node}`,
          compiler: 'skiff',
          platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
        });
        return;
      case '/healthz':
      case '/livez':
      case '/readyz':
        if (!this.#ready) sendRaw(res, 503, 'not ready', 'text/plain; charset=utf-8');
        else sendRaw(res, 200, 'ok', 'text/plain; charset=utf-8');
        return;
      case '/metrics':
        sendRaw(res, 200, await this.metrics.registry.metrics(), this.metrics.registry.contentType);
        return;
      case '/slo': {
        // The SLIs `skiff slo` prints, from this server's own histogram and its pod cache.
        const pods = await this.store('', 'v1', 'pods')?.cache();
        const items = pods ? [...pods.items.values()].map((e) => e.obj) : [];
        const rows = [...apiRows(await this.metrics.registry.metrics()), podStartupRow(items)];
        sendJson(res, 200, { kind: 'SLIReport', generatedAt: new Date().toISOString(), rows });
        return;
      }
      case '/api': {
        const neg = negotiateDiscovery(parseAccept(req.headers.accept));
        if (neg.format === 'legacy') {
          const addr = `${req.socket.localAddress}:${req.socket.localPort}`;
          sendJson(res, 200, {
            ...this.#discovery.apiVersions,
            serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: addr }],
          });
        } else
          sendJson(
            res,
            200,
            this.#discovery.aggregatedCore(`apidiscovery.k8s.io/${neg.format}`),
            neg.contentType,
          );
        return;
      }
      case '/apis': {
        const neg = negotiateDiscovery(parseAccept(req.headers.accept));
        if (neg.format === 'legacy') sendJson(res, 200, this.#discovery.apiGroupList);
        else
          sendJson(
            res,
            200,
            this.#discovery.aggregatedApis(`apidiscovery.k8s.io/${neg.format}`),
            neg.contentType,
          );
        return;
      }
      case '/openapi/v3': {
        if (!this.#o.openapi) throw notFoundPath();
        sendJson(res, 200, this.#o.openapi.root());
        return;
      }
      case '/openapi/v2':
      case '/swagger-2.0.0.pb-v1':
        // Only protobuf v2 helps kubectl 1.27; without it a 404 makes kubectl fall back cleanly.
        throw notFoundPath();
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = this.#o.openapi?.doc(path.slice('/openapi/v3/'.length));
      if (!doc) throw notFoundPath();
      res.setHeader('Cache-Control', 'public, immutable');
      res.setHeader('Etag', `"${doc.hash}"`);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': doc.json.length });
      res.end(doc.json);
      return;
    }
    const list = this.#discovery.resourceLists.get(path);
    if (list) return sendJson(res, 200, list);
    const group = this.#discovery.apiGroups.get(path);
    if (group) return sendJson(res, 200, group);
    throw notFoundPath();
  }

  async #resource(
    info: RequestInfo,
    q: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: RequestContext,
  ): Promise<void> {
    // --- streaming ---
    if (info.group === streaming.METRICS_GROUP) {
      if (info.verb !== 'get' && info.verb !== 'list') throw methodNotAllowed(info.verb, info.resource);
      return this.#metricsApi.handle(info, res);
    }
    // --- end streaming ---
    const review = REVIEW_RESOURCES.find(
      (r) => r.group === info.group && r.version === info.version && r.name === info.resource,
    );
    if (review) {
      if (info.verb !== 'create' || info.name) throw methodNotAllowed(info.verb, info.resource);
      await handleReview(this.#deps, this.#reviewDeps, review, info.namespace, req, res, ctx);
      return;
    }
    const store = this.store(info.group, info.version, info.resource);
    if (!store) throw notFoundPath();
    const kind = store.kind;
    if (kind.namespaced && info.namespace && info.resource !== 'namespaces') {
      if (!isDnsLabel(info.namespace))
        throw badRequest(`invalid namespace name ${JSON.stringify(info.namespace)}`);
    }
    const ns = kind.namespaced ? info.namespace : '';
    if (!kind.namespaced && info.namespace && info.resource !== 'namespaces') throw notFoundPath();
    ctx.dryRun = parseDryRun(q);
    const sub = info.subresource;
    if (
      sub &&
      !kind.subresources.some((s) => s.name === sub) &&
      !(kind.plural === 'namespaces' && sub === 'finalize')
    ) {
      throw notFoundPath();
    }
    const format = negotiateObjectFormat(parseAccept(req.headers.accept));
    const d = this.#deps;
    if (sub === 'binding' && info.verb === 'create')
      return handleBinding(d, store, ns, info.name, req, res, ctx);
    if (sub === 'eviction' && info.verb === 'create')
      return handleEviction(
        d,
        store,
        ns,
        info.name,
        req,
        res,
        ctx,
        this.store('policy', 'v1', 'poddisruptionbudgets'),
      );
    if (sub === 'token' && kind.plural === 'serviceaccounts' && kind.group === '') {
      if (info.verb !== 'create') throw methodNotAllowed(info.verb, 'serviceaccounts/token');
      if (!this.#tokenDeps)
        throw new ApiError(503, 'ServiceUnavailable', 'service account token signing is not configured');
      return handleTokenRequest(d, this.#tokenDeps, store, ns, info.name, req, res, ctx);
    }
    // --- streaming ---
    if (kind.group === '' && kind.plural === 'pods' && sub === 'log' && info.verb === 'get')
      return streaming.handlePodLog(this.#streamingDeps(), ns, info.name, q, res);
    if (kind.group === '' && kind.plural === 'pods' && streaming.UPGRADE_SUBRESOURCES.includes(sub))
      throw badRequest('Upgrade request required');
    if (kind.group === '' && kind.plural === 'nodes' && sub === 'proxy' && info.verb === 'get')
      return streaming.handleNodeProxy(this.#streamingDeps(), info.name, info.parts.join('/'), q, res);
    if (sub && sub !== 'status' && sub !== 'scale' && sub !== 'finalize' && sub !== 'approval') {
      // pods/proxy, services/proxy: not proxied yet.
      throw new ApiError(
        503,
        'ServiceUnavailable',
        `the ${kind.plural}/${sub} subresource is not served yet`,
      );
    }
    // --- end streaming ---
    switch (info.verb) {
      case 'get':
        if (sub === 'scale') {
          const e = await store.get(ns, info.name);
          return sendJson(res, 200, toScale(store, e.obj));
        }
        return handleGet(d, store, ns, info.name, q, format, res);
      case 'list':
        return handleList(d, store, ns, q, format, res);
      case 'watch':
        return handleWatch(d, store, ns, q, format, req, res);
      case 'create':
        if (info.name) throw methodNotAllowed('POST', `${kind.plural}/${info.name}`);
        return handleCreate(d, store, ns, q, req, res, ctx);
      case 'update':
        return handleUpdate(d, store, ns, info.name, sub, q, req, res, ctx);
      case 'patch':
        return handlePatch(d, store, ns, info.name, sub, q, req, res, ctx);
      case 'delete':
        if (sub) throw methodNotAllowed('DELETE', `${kind.plural}/${sub}`);
        return handleDelete(d, store, ns, info.name, q, req, res, ctx);
      case 'deletecollection':
        return handleDeleteCollection(d, store, ns, q, req, res, ctx);
      default:
        throw methodNotAllowed(info.verb, kind.plural);
    }
  }
}

const ADMIN_USER: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
const ANONYMOUS_USER: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
/** How long quota usage waits for the caches to catch up with the write it follows. */
const CACHE_SYNC_WAIT_MS = 3_000;

/** The authorizer's view of a request (upstream's RequestInfo → authorizer.Attributes). */
function authzAttributes(info: RequestInfo, user: UserInfo): AuthzAttributes {
  return {
    user,
    verb: info.verb,
    resourceRequest: info.isResourceRequest,
    apiGroup: info.group,
    resource: info.resource,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
    path: info.path,
  };
}

const storeId = (group: string, version: string, plural: string): string => `${group}/${version}/${plural}`;

const scopeOf = (info: RequestInfo): string =>
  info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster';

const isDnsLabel = (s: string): boolean => s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
