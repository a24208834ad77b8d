// A minimal API server on 127.0.0.1 for capturing what a real kubectl sends: legacy discovery
// (kubectl-wire.md §2), a node and one pod for drain, and every write recorded and answered with a
// plausible JSON object. Used by capture.ts (fixture refresh) and kubectl.test.ts (live check).
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { decodeKubernetesProtobuf } from '../envelope.ts';

// Required, not imported: see src/util/node-builtins.ts (src/api imports nothing of the project).
const nodeHttp = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

export interface KubectlStub {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The node and pod drain works on. */
export const STUB_NODE = 'skiff-node';
export const STUB_POD = 'skiff-pod';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

type Resource = [name: string, kind: string, namespaced: boolean, verbs?: string[]];

/** Group version → resources. pods/eviction is left out on purpose: drain then DELETEs (protobuf). */
const RESOURCES: Record<string, Resource[]> = {
  v1: [
    ['namespaces', 'Namespace', false],
    ['nodes', 'Node', false],
    ['pods', 'Pod', true],
    ['configmaps', 'ConfigMap', true],
    ['secrets', 'Secret', true],
    ['services', 'Service', true],
    ['serviceaccounts', 'ServiceAccount', true],
    ['serviceaccounts/token', 'TokenRequest', true, ['create']],
    ['resourcequotas', 'ResourceQuota', true],
  ],
  'apps/v1': [['deployments', 'Deployment', true]],
  'batch/v1': [
    ['jobs', 'Job', true],
    ['cronjobs', 'CronJob', true],
  ],
  'rbac.authorization.k8s.io/v1': [
    ['roles', 'Role', true],
    ['rolebindings', 'RoleBinding', true],
    ['clusterroles', 'ClusterRole', false],
    ['clusterrolebindings', 'ClusterRoleBinding', false],
  ],
  'authorization.k8s.io/v1': [
    ['selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, ['create']],
    ['selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, ['create']],
  ],
  'authentication.k8s.io/v1': [['selfsubjectreviews', 'SelfSubjectReview', false, ['create']]],
  'scheduling.k8s.io/v1': [['priorityclasses', 'PriorityClass', false]],
  'policy/v1': [['poddisruptionbudgets', 'PodDisruptionBudget', true]],
  'networking.k8s.io/v1': [['ingresses', 'Ingress', true]],
};

function resourceList(gv: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: RESOURCES[gv].map(([name, kind, namespaced, verbs]) => ({
      name,
      singularName: name.includes('/') ? '' : kind.toLowerCase(),
      namespaced,
      kind,
      verbs: verbs ?? ALL_VERBS,
    })),
  };
}

function groupList(): unknown {
  const groups = Object.keys(RESOURCES)
    .filter((gv) => gv.includes('/'))
    .map((gv) => {
      const [name, version] = gv.split('/');
      const v = { groupVersion: gv, version };
      return { name, versions: [v], preferredVersion: v };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

const node = (unschedulable: boolean) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: STUB_NODE, uid: 'skiff-node-uid', resourceVersion: '1' },
  spec: unschedulable ? { unschedulable: true } : {},
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: STUB_POD,
    namespace: 'default',
    uid: 'skiff-pod-uid',
    resourceVersion: '2',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true },
    ],
  },
  spec: { nodeName: STUB_NODE, containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Running' },
};

/** A reply to a write: the decoded request (protobuf or JSON) plus the status kubectl reads. */
function writeReply(req: RecordedRequest): unknown {
  let obj: Record<string, unknown> = {};
  try {
    obj = (
      req.contentType.startsWith('application/vnd.kubernetes.protobuf')
        ? decodeKubernetesProtobuf(req.body)
        : JSON.parse(req.body.toString('utf8'))
    ) as Record<string, unknown>;
  } catch {
    // The fixture still records the body; the reply only has to satisfy kubectl.
  }
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  const reply: Record<string, unknown> = {
    ...obj,
    metadata: { ...meta, name: meta.name ?? 'x', uid: 'uid-1' },
  };
  switch (obj.kind) {
    case 'SelfSubjectAccessReview':
      reply.status = { allowed: true };
      break;
    case 'SelfSubjectRulesReview':
      reply.status = { resourceRules: [{ verbs: ['get'], resources: ['pods'] }], incomplete: false };
      break;
    case 'SelfSubjectReview':
      reply.status = { userInfo: { username: 'skiff-tester', groups: ['system:authenticated'] } };
      break;
    case 'TokenRequest':
      reply.status = { token: 'skiff-token', expirationTimestamp: '2030-01-01T00:00:00Z' };
      break;
  }
  return reply;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const notFound = (path: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: `${path} not found`,
  reason: 'NotFound',
  code: 404,
});

async function handle(req: IncomingMessage, res: ServerResponse, requests: RecordedRequest[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = new URL(req.url ?? '/', 'http://stub');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const recorded = {
    method,
    path,
    contentType: String(req.headers['content-type'] ?? ''),
    body: Buffer.concat(chunks),
  };
  if (method === 'GET') {
    if (path === '/version') {
      return send(res, 200, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.0-skiff',
        platform: 'linux/amd64',
      });
    }
    if (path === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (path === '/apis') return send(res, 200, groupList());
    if (path === '/api/v1') return send(res, 200, resourceList('v1'));
    const gv = path.startsWith('/apis/') ? path.slice('/apis/'.length) : '';
    if (RESOURCES[gv] && gv.includes('/')) return send(res, 200, resourceList(gv));
    if (path === `/api/v1/nodes/${STUB_NODE}`) return send(res, 200, node(false));
    if (path === '/api/v1/pods') {
      return send(res, 200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '3' },
        items: [pod],
      });
    }
    return send(res, 404, notFound(path));
  }
  requests.push(recorded);
  if (method === 'PATCH' && path === `/api/v1/nodes/${STUB_NODE}`) return send(res, 200, node(true));
  if (method === 'DELETE') return send(res, 200, pod);
  return send(res, 201, writeReply(recorded));
}

export async function startKubectlStub(): Promise<KubectlStub> {
  const requests: RecordedRequest[] = [];
  const server = nodeHttp.createServer((req, res) => {
    handle(req, res, requests).catch((err: unknown) => send(res, 500, { message: String(err) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
