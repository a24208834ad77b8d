import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  ALL_TEST_KINDS,
  CONFIGMAP,
  DEPLOYMENT,
  NAMESPACE,
  POD,
  SELF_SUBJECT_REVIEW,
  WIDGET,
} from './fixtures.ts';
import { buildOpenApiV3 } from './openapi.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk parsed JSON documents
type Json = Record<string, any>;
type Gvk = { group: string; version: string; kind: string };

const VERSION = 'v1.32.0';
const built = buildOpenApiV3(ALL_TEST_KINDS, { version: VERSION });
const docOf = (key: string): Json => {
  const d = built.docs.get(key);
  assert.ok(d, `no document ${key}`);
  return JSON.parse(d.json.toString('utf8'));
};
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function* operations(doc: Json): Generator<[path: string, method: string, op: Json]> {
  for (const [p, item] of Object.entries<Json>(doc.paths))
    for (const m of METHODS) if (item[m]) yield [p, m, item[m]];
}

const sameGvk = (a: Gvk, b: Gvk): boolean =>
  a.group === b.group && a.version === b.version && a.kind === b.kind;

/** kubectl 1.29+'s strict-validation probe: a PATCH op of the GVK declaring fieldValidation in the query. */
function probeFieldValidation(doc: Json, gvk: Gvk): boolean {
  const patches = [...operations(doc)].filter(
    ([, m, op]) => m === 'patch' && sameGvk(op['x-kubernetes-group-version-kind'], gvk),
  );
  if (patches.length === 0) return false;
  // kubectl looks only at the first one it meets (map order): every one must pass.
  return patches.every(([, , op]) =>
    (op.parameters ?? []).some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'),
  );
}

/** What `kubectl explain <kind>.<path>` walks: the GVK's schema, then properties through refs. */
function explain(doc: Json, gvk: Gvk, path: string[]): Json | undefined {
  const schemas: Record<string, Json> = doc.components.schemas;
  const deref = (s: Json): Json => {
    let cur = s;
    for (let i = 0; i < 10; i++) {
      const ref = cur.$ref ?? (cur.allOf?.length === 1 ? cur.allOf[0].$ref : undefined);
      if (ref) cur = schemas[ref.slice('#/components/schemas/'.length)];
      else if (cur.items) cur = cur.items;
      else return cur;
      assert.ok(cur, `dangling ${ref}`);
    }
    return cur;
  };
  let s: Json | undefined = Object.values(schemas).find((d) =>
    (d['x-kubernetes-group-version-kind'] ?? []).some((g: Gvk) => sameGvk(g, gvk)),
  );
  for (const f of path) {
    if (!s) return undefined;
    s = deref(s).properties?.[f];
  }
  return s && deref(s);
}

test('root lists one document per group version with its content hash', () => {
  assert.deepEqual(Object.keys(built.root.paths), [
    'api/v1',
    'apis/apps/v1',
    'apis/authorization.k8s.io/v1',
    'apis/example.com/v1',
    'apis/rbac.authorization.k8s.io/v1',
  ]);
  for (const [key, { serverRelativeURL }] of Object.entries(built.root.paths)) {
    const d = built.docs.get(key);
    assert.ok(d);
    const want = createHash('sha512').update(d.json).digest('hex').toUpperCase();
    assert.equal(d.hash, want);
    assert.match(d.hash, /^[0-9A-F]{128}$/);
    assert.equal(serverRelativeURL, `/openapi/v3/${key}?hash=${want}`);
  }
  // Deterministic: the same kinds give byte-identical documents (kubectl caches by hash).
  const again = buildOpenApiV3([...ALL_TEST_KINDS].reverse(), { version: VERSION });
  for (const [key, d] of built.docs) assert.equal(again.docs.get(key)?.hash, d.hash, key);
  const doc = docOf('api/v1');
  assert.equal(doc.openapi, '3.0.0');
  assert.deepEqual(doc.info, { title: 'Kubernetes', version: VERSION });
});

test("kubectl's fieldValidation probe passes for every kind with patch, cluster-scoped ones too", () => {
  const cases: [doc: string, gvk: Gvk, want: boolean][] = [
    ['api/v1', { group: '', version: 'v1', kind: 'Pod' }, true],
    ['api/v1', { group: '', version: 'v1', kind: 'Namespace' }, true],
    ['api/v1', { group: '', version: 'v1', kind: 'ConfigMap' }, true],
    ['apis/apps/v1', { group: 'apps', version: 'v1', kind: 'Deployment' }, true],
    ['apis/apps/v1', { group: 'autoscaling', version: 'v1', kind: 'Scale' }, true],
    [
      'apis/rbac.authorization.k8s.io/v1',
      { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' },
      true,
    ],
    ['apis/example.com/v1', { group: 'example.com', version: 'v1', kind: 'Widget' }, true],
    // Create-only kinds have no PATCH upstream either.
    [
      'apis/authorization.k8s.io/v1',
      { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' },
      false,
    ],
    ['api/v1', { group: 'apps', version: 'v1', kind: 'Deployment' }, false],
  ];
  for (const [key, gvk, want] of cases)
    assert.equal(probeFieldValidation(docOf(key), gvk), want, `${key} ${gvk.kind}`);
  const ns = docOf('api/v1').paths['/api/v1/namespaces/{name}'];
  assert.equal(ns.patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(ns.patch['x-kubernetes-group-version-kind'], {
    group: '',
    kind: 'Namespace',
    version: 'v1',
  });
});

test('paths and actions per scope and verbs', () => {
  const v1 = docOf('api/v1');
  const apps = docOf('apis/apps/v1');
  const actions = (doc: Json, p: string): Record<string, string> => {
    const item = doc.paths[p];
    assert.ok(item, `missing path ${p}`);
    return Object.fromEntries(METHODS.filter((m) => item[m]).map((m) => [m, item[m]['x-kubernetes-action']]));
  };
  const cases: [doc: Json, path: string, want: Record<string, string>][] = [
    [v1, '/api/v1/namespaces/{namespace}/pods', { get: 'list', post: 'post', delete: 'deletecollection' }],
    [
      v1,
      '/api/v1/namespaces/{namespace}/pods/{name}',
      { get: 'get', put: 'put', delete: 'delete', patch: 'patch' },
    ],
    [v1, '/api/v1/pods', { get: 'list' }],
    [v1, '/api/v1/watch/namespaces/{namespace}/pods', { get: 'watchlist' }],
    [v1, '/api/v1/watch/namespaces/{namespace}/pods/{name}', { get: 'watch' }],
    [v1, '/api/v1/watch/pods', { get: 'watchlist' }],
    [v1, '/api/v1/namespaces/{namespace}/pods/{name}/status', { get: 'get', put: 'put', patch: 'patch' }],
    [v1, '/api/v1/namespaces/{namespace}/pods/{name}/binding', { post: 'post' }],
    [v1, '/api/v1/namespaces/{namespace}/pods/{name}/eviction', { post: 'post' }],
    [v1, '/api/v1/namespaces/{namespace}/pods/{name}/exec', { get: 'connect', post: 'connect' }],
    [v1, '/api/v1/namespaces/{namespace}/pods/{name}/log', { get: 'get' }],
    [v1, '/api/v1/namespaces', { get: 'list', post: 'post' }],
    [v1, '/api/v1/namespaces/{name}', { get: 'get', put: 'put', delete: 'delete', patch: 'patch' }],
    [v1, '/api/v1/namespaces/{name}/status', { get: 'get', put: 'put', patch: 'patch' }],
    [v1, '/api/v1/watch/namespaces', { get: 'watchlist' }],
    [v1, '/api/v1/watch/namespaces/{name}', { get: 'watch' }],
    [
      apps,
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale',
      { get: 'get', put: 'put', patch: 'patch' },
    ],
    [
      docOf('apis/authorization.k8s.io/v1'),
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      { post: 'post' },
    ],
  ];
  for (const [doc, p, want] of cases) assert.deepEqual(actions(doc, p), want, p);
  assert.equal(
    docOf('apis/authorization.k8s.io/v1').paths[
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/{name}'
    ],
    undefined,
  );
  // Cluster-scoped kinds have no all-namespaces list and no namespace parameter.
  assert.ok(!Object.keys(v1.paths).some((p) => p.includes('{namespace}/namespaces')));
  assert.ok(!v1.paths['/api/v1/namespaces/{name}'].parameters.some((p: Json) => p.name === 'namespace'));
  const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch;
  assert.deepEqual(scale['x-kubernetes-group-version-kind'], {
    group: 'autoscaling',
    kind: 'Scale',
    version: 'v1',
  });
  const list = v1.paths['/api/v1/namespaces/{namespace}/pods'].get;
  assert.deepEqual(
    list.parameters.map((p: Json) => p.name),
    [
      'allowWatchBookmarks',
      'continue',
      'fieldSelector',
      'labelSelector',
      'limit',
      'resourceVersion',
      'resourceVersionMatch',
      'sendInitialEvents',
      'timeoutSeconds',
      'watch',
    ],
  );
  assert.equal(
    list.responses['200'].content['application/json'].schema.$ref,
    '#/components/schemas/io.k8s.api.core.v1.PodList',
  );
  const operationIds = [...operations(v1)].map(([, , op]) => op.operationId);
  assert.equal(new Set(operationIds).size, operationIds.length, 'operationIds are unique');
  assert.ok(operationIds.includes('patchCoreV1NamespacedPod'));
  assert.ok(operationIds.includes('listCoreV1PodForAllNamespaces'));
  assert.ok(operationIds.includes('patchCoreV1Namespace'));
  for (const [p, m, op] of operations(v1)) {
    assert.ok(op['x-kubernetes-action'], `${m} ${p} action`);
    assert.ok(op['x-kubernetes-group-version-kind']?.kind, `${m} ${p} gvk`);
    assert.deepEqual(op.tags, ['core_v1']);
  }
});

test('explain-relevant schemas are present and walkable', () => {
  const v1 = docOf('api/v1');
  const apps = docOf('apis/apps/v1');
  const pod = { group: '', version: 'v1', kind: 'Pod' };
  const deploy = { group: 'apps', version: 'v1', kind: 'Deployment' };
  const cases: [doc: Json, gvk: Gvk, path: string[], check: (s: Json) => boolean][] = [
    [v1, pod, [], (s) => !!s.properties?.spec && /collection of containers/.test(s.description)],
    [v1, pod, ['spec'], (s) => !!s.properties?.containers && s.required?.includes('containers')],
    [v1, pod, ['spec', 'containers'], (s) => !!s.properties?.image && !!s.properties?.imagePullPolicy],
    [v1, pod, ['spec', 'containers', 'ports'], (s) => s.properties?.containerPort?.format === 'int32'],
    [v1, pod, ['metadata', 'creationTimestamp'], (s) => s.format === 'date-time'],
    [v1, { group: '', version: 'v1', kind: 'Namespace' }, ['spec', 'finalizers'], (s) => s.type === 'string'],
    [apps, deploy, ['spec', 'strategy'], (s) => !!s.properties?.rollingUpdate && !!s.properties?.type],
    [apps, deploy, ['spec', 'strategy', 'rollingUpdate', 'maxSurge'], (s) => s.format === 'int-or-string'],
    [apps, deploy, ['spec', 'template', 'spec', 'volumes'], (s) => !!s.properties?.configMap],
    [
      apps,
      { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      ['spec', 'replicas'],
      (s) => s.type === 'integer',
    ],
  ];
  for (const [doc, gvk, path, check] of cases) {
    const s = explain(doc, gvk, path);
    assert.ok(s && check(s), `${gvk.kind}.${path.join('.')}: ${JSON.stringify(s)?.slice(0, 200)}`);
  }
  assert.equal(explain(v1, pod, ['spec', 'nosuchfield']), undefined);
  // Definitions from other groups that the paths reference come along (eviction → policy/v1).
  assert.ok(v1.components.schemas['io.k8s.api.policy.v1.Eviction']);
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  assert.equal(
    apps.components.schemas['io.k8s.api.core.v1.Namespace'],
    undefined,
    'only the closure is included',
  );
});

test('every $ref in every document resolves inside that document', () => {
  for (const [key] of built.docs) {
    const doc = docOf(key);
    const schemas = doc.components.schemas;
    let refs = 0;
    const walk = (v: unknown, at: string): void => {
      if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) walk(x, `${at}[${i}]`);
      } else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') {
            refs++;
            assert.ok(schemas[x.slice('#/components/schemas/'.length)], `${key} ${at}: ${x}`);
          } else walk(x, `${at}.${k}`);
        }
    };
    walk(doc, key);
    if (key !== 'apis/example.com/v1') assert.ok(refs > 10, `${key}: only ${refs} refs`);
  }
  // A kind without a built-in schema still gets its paths; only the meta types are referenced.
  const widget = docOf('apis/example.com/v1');
  assert.ok(widget.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch);
  assert.deepEqual(
    Object.keys(widget.components.schemas).filter((n) => !n.startsWith('io.k8s.apimachinery.')),
    [],
  );
});

test('a group version holds exactly the kinds served in it', () => {
  const only = buildOpenApiV3([POD, CONFIGMAP], { version: VERSION });
  assert.deepEqual([...only.docs.keys()], ['api/v1']);
  const doc = JSON.parse(only.docs.get('api/v1')?.json.toString() ?? '{}');
  assert.ok(
    !Object.keys(doc.paths).some(
      (p: string) => p.includes('namespaces/{name}') && !p.includes('{namespace}'),
    ),
  );
  assert.ok(!doc.components.schemas['io.k8s.api.core.v1.Namespace']);
  assert.equal(buildOpenApiV3([], { version: VERSION }).docs.size, 0);
  for (const k of [NAMESPACE, DEPLOYMENT, SELF_SUBJECT_REVIEW, WIDGET])
    assert.ok(!doc.paths[`/api/v1/${k.plural}`]);
});
