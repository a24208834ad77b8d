import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../../api/object.ts';
import type { UserInfo } from '../registry/context.ts';
import { aggregatedRules } from './aggregation.ts';
import { defaultClusterRoleBindings, defaultClusterRoles } from './default-policy.ts';
import { compactString, uncovered } from './escalation.ts';
import { forbiddenError } from './forbidden.ts';
import { NodeAuthorizer } from './node-authorizer.ts';
import { RbacAuthorizer } from './rbac-authorizer.ts';
import { RbacIndex } from './rbac-index.ts';
import { StaticSource } from './static-source.ts';
import type { AuthzAttributes } from './types.ts';

const RBAC = 'rbac.authorization.k8s.io';
const role = (ns: string, name: string, rules: KObject[]): KObject => ({
  metadata: { namespace: ns, name },
  rules,
});
const binding = (ns: string, name: string, roleRef: KObject, subjects: KObject[]): KObject => ({
  metadata: ns ? { namespace: ns, name } : { name },
  roleRef: { apiGroup: RBAC, ...roleRef },
  subjects,
});

/** Default roles with aggregation resolved, as the server's aggregator leaves them. */
function resolvedDefaults(): KObject[] {
  const all = defaultClusterRoles();
  for (let pass = 0; pass < 3; pass++)
    for (const r of all) {
      const rules = aggregatedRules(r, all);
      if (rules) r.rules = rules;
    }
  return all;
}

const clusterRoles = new StaticSource([
  ...resolvedDefaults(),
  role('', 'pod-reader-named', [
    { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['only-me'] },
  ]),
  role('', 'scaler', [{ verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] }]),
  role('', 'metrics', [{ verbs: ['get'], nonResourceURLs: ['/metrics', '/logs/*'] }]),
]);
const roles = new StaticSource([
  role('team-a', 'cm-writer', [{ verbs: ['create'], apiGroups: [''], resources: ['configmaps'] }]),
]);
const clusterRoleBindings = new StaticSource([
  ...defaultClusterRoleBindings(),
  binding('', 'metrics', { kind: 'ClusterRole', name: 'metrics' }, [{ kind: 'Group', name: 'monitoring' }]),
  binding('', 'dangling', { kind: 'ClusterRole', name: 'missing-role' }, [{ kind: 'User', name: 'dave' }]),
]);
const roleBindings = new StaticSource([
  binding('team-a', 'alice-edit', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: 'alice' }]),
  binding('team-a', 'sa-view', { kind: 'ClusterRole', name: 'view' }, [
    { kind: 'ServiceAccount', name: 'robot' },
  ]),
  binding('team-a', 'cm', { kind: 'Role', name: 'cm-writer' }, [{ kind: 'Group', name: 'writers' }]),
  binding('team-a', 'named', { kind: 'ClusterRole', name: 'pod-reader-named' }, [
    { kind: 'User', name: 'carol' },
  ]),
  binding('team-b', 'bob-admin', { kind: 'ClusterRole', name: 'admin' }, [{ kind: 'User', name: 'bob' }]),
  binding('team-b', 'scaler', { kind: 'ClusterRole', name: 'scaler' }, [{ kind: 'User', name: 'carol' }]),
]);
const rbac = new RbacAuthorizer(new RbacIndex({ roles, clusterRoles, roleBindings, clusterRoleBindings }));

const u = (username: string, ...groups: string[]): UserInfo => ({
  username,
  groups: [...groups, 'system:authenticated'],
});
const res = (
  user: UserInfo,
  verb: string,
  resource: string,
  namespace = '',
  extra: Partial<AuthzAttributes> = {},
): AuthzAttributes => {
  const [r, sub = ''] = resource.split('/');
  return {
    user,
    verb,
    resourceRequest: true,
    apiGroup: '',
    resource: r,
    subresource: sub,
    namespace,
    name: '',
    path: '',
    ...extra,
  };
};
const url = (user: UserInfo, verb: string, path: string): AuthzAttributes => ({
  user,
  verb,
  resourceRequest: false,
  apiGroup: '',
  resource: '',
  subresource: '',
  namespace: '',
  name: '',
  path,
});

const alice = u('alice');
const cases: [string, AuthzAttributes, boolean][] = [
  ['edit lets alice list pods in her namespace', res(alice, 'list', 'pods', 'team-a'), true],
  ['edit does not reach another namespace', res(alice, 'list', 'pods', 'team-b'), false],
  ['edit does not grant cluster-scoped reads', res(alice, 'list', 'nodes'), false],
  [
    'edit grants deployments through aggregation',
    res(alice, 'create', 'deployments', 'team-a', { apiGroup: 'apps' }),
    true,
  ],
  [
    'edit has no rolebinding writes',
    res(alice, 'create', 'rolebindings', 'team-a', { apiGroup: RBAC }),
    false,
  ],
  ['edit reads pods/log (view aggregated into edit)', res(alice, 'get', 'pods/log', 'team-a'), true],
  ['edit cannot write resourcequotas', res(alice, 'update', 'resourcequotas', 'team-a'), false],
  ['admin writes rolebindings', res(u('bob'), 'create', 'rolebindings', 'team-b', { apiGroup: RBAC }), true],
  [
    'a service account subject without namespace means the binding namespace',
    res(u('system:serviceaccount:team-a:robot'), 'get', 'configmaps', 'team-a'),
    true,
  ],
  [
    'view does not read secrets',
    res(u('system:serviceaccount:team-a:robot'), 'get', 'secrets', 'team-a'),
    false,
  ],
  ['a group binding to a namespaced Role', res(u('zed', 'writers'), 'create', 'configmaps', 'team-a'), true],
  ['the Role grants only its verbs', res(u('zed', 'writers'), 'delete', 'configmaps', 'team-a'), false],
  [
    'resourceNames match the named object',
    res(u('carol'), 'get', 'pods', 'team-a', { name: 'only-me' }),
    true,
  ],
  ['resourceNames exclude other objects', res(u('carol'), 'get', 'pods', 'team-a', { name: 'other' }), false],
  ['resourceNames exclude lists', res(u('carol'), 'list', 'pods', 'team-a'), false],
  [
    '*/scale covers any scale subresource',
    res(u('carol'), 'update', 'deployments/scale', 'team-b', { apiGroup: 'apps' }),
    true,
  ],
  [
    '*/scale does not cover the resource itself',
    res(u('carol'), 'update', 'deployments', 'team-b', { apiGroup: 'apps' }),
    false,
  ],
  ['non-resource URL exact', url(u('m', 'monitoring'), 'get', '/metrics'), true],
  ['non-resource URL prefix', url(u('m', 'monitoring'), 'get', '/logs/kube.log'), true],
  ['non-resource URL outside the prefix', url(u('m', 'monitoring'), 'get', '/debug'), false],
  ['discovery for every authenticated user', url(alice, 'get', '/apis/apps/v1'), true],
  [
    'self reviews for every authenticated user',
    res(alice, 'create', 'selfsubjectaccessreviews', '', { apiGroup: 'authorization.k8s.io' }),
    true,
  ],
  ['cluster-admin via system:masters binding', res(u('root', 'system:masters'), 'delete', 'nodes'), true],
  ['the scheduler binds pods', res(u('system:kube-scheduler'), 'create', 'pods/binding', 'x'), true],
  ['the scheduler cannot read secrets', res(u('system:kube-scheduler'), 'get', 'secrets', 'x'), false],
];

for (const [name, attrs, want] of cases) {
  test(`rbac: ${name}`, () => {
    assert.equal(rbac.authorize(attrs).decision === 'allow', want);
  });
}

test('rbac: a binding to a missing role is the deny reason, as upstream reports it', () => {
  const d = rbac.authorize(res(u('dave'), 'get', 'pods', 'x'));
  assert.equal(d.decision, 'noOpinion');
  assert.equal(d.reason, 'RBAC: [clusterrole.rbac.authorization.k8s.io "missing-role" not found]');
});

test('rbac: the index follows changes to bindings', () => {
  const before = rbac.authorize(res(u('erin'), 'get', 'pods', 'team-a')).decision;
  roleBindings.set([
    ...[...roleBindings.items()].map((i) => i.obj),
    binding('team-a', 'erin', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'User', name: 'erin' }]),
  ]);
  assert.equal(before, 'noOpinion');
  assert.equal(rbac.authorize(res(u('erin'), 'get', 'pods', 'team-a')).decision, 'allow');
});

test('forbidden messages read like upstream', () => {
  assert.equal(
    forbiddenError(res(alice, 'list', 'pods', 'default'), '').message,
    'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"',
  );
  assert.equal(
    forbiddenError(res(alice, 'get', 'deployments', '', { apiGroup: 'apps', name: 'web' }), '').message,
    'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" at the cluster scope',
  );
  assert.equal(
    forbiddenError(res(alice, 'get', 'pods/log', 'ns', { name: 'p' }), '').message,
    'pods "p" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "ns"',
  );
  assert.equal(
    forbiddenError(url(alice, 'get', '/metrics'), '').message,
    'forbidden: User "alice" cannot get path "/metrics"',
  );
  assert.equal(forbiddenError(res(alice, 'list', 'pods', 'default'), '').code, 403);
});

test('escalation: only rules the writer holds are covered', () => {
  const held = [
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/scale'], resourceNames: [] },
  ];
  assert.deepEqual(uncovered(held, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), []);
  assert.deepEqual(
    uncovered(held, [{ verbs: ['list'], apiGroups: [''], resources: ['deployments/scale'] }]),
    [],
  );
  const missing = uncovered(held, [
    { verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] },
  ]);
  assert.deepEqual(missing.map(compactString), [
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
    '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["delete"]}',
  ]);
  const named = [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }];
  assert.equal(uncovered(named, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]).length, 1);
  assert.equal(
    uncovered(named, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }]).length,
    0,
  );
});

test('aggregation: admin ⊇ edit ⊇ view, and a labelled custom role joins view', () => {
  const all = defaultClusterRoles();
  all.push({
    metadata: { name: 'crd-viewer', labels: { [`${RBAC}/aggregate-to-view`]: 'true' } },
    rules: [{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }],
  });
  for (let pass = 0; pass < 3; pass++)
    for (const r of all) {
      const rules = aggregatedRules(r, all);
      if (rules) r.rules = rules;
    }
  const rulesOf = (n: string) =>
    all.find((r) => r.metadata?.name === n)!.rules.map((r: unknown) => JSON.stringify(r));
  const [admin, edit, view] = [rulesOf('admin'), rulesOf('edit'), rulesOf('view')];
  assert.ok(view.some((r: string) => r.includes('widgets')));
  for (const r of view) assert.ok(edit.includes(r), `edit lacks ${r}`);
  for (const r of edit) assert.ok(admin.includes(r), `admin lacks ${r}`);
  assert.ok(admin.length > edit.length && edit.length > view.length);
});

test('node authorizer: a node reads only what its pods reference', () => {
  const pods = new StaticSource([
    {
      metadata: { namespace: 'a', name: 'p1' },
      spec: {
        nodeName: 'n1',
        serviceAccountName: 'sa1',
        volumes: [{ name: 'v', secret: { secretName: 's1' } }],
        containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'cm1' } }] }],
      },
    },
    {
      metadata: { namespace: 'a', name: 'p2' },
      spec: { nodeName: 'n2', volumes: [{ name: 'v', secret: { secretName: 's2' } }], containers: [] },
    },
  ]);
  const node = new NodeAuthorizer(pods);
  const n1: UserInfo = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
  const get = (resource: string, name: string, verb = 'get') =>
    node.authorize(res(n1, verb, resource, 'a', { name })).decision;
  assert.equal(get('secrets', 's1'), 'allow');
  assert.equal(get('configmaps', 'cm1'), 'allow');
  assert.equal(get('secrets', 's2'), 'noOpinion');
  assert.equal(get('secrets', 's1', 'list'), 'noOpinion');
  assert.equal(
    node.authorize(res(n1, 'create', 'serviceaccounts/token', 'a', { name: 'sa1' })).decision,
    'allow',
  );
  assert.equal(node.authorize(res(n1, 'update', 'nodes/status', '', { name: 'n1' })).decision, 'allow');
  assert.equal(node.authorize(res(n1, 'delete', 'secrets', 'a', { name: 's1' })).decision, 'noOpinion');
  assert.equal(
    node.authorize(res(u('system:node:n1'), 'get', 'secrets', 'a', { name: 's1' })).decision,
    'noOpinion',
  );
  assert.match(
    node.authorize(res(n1, 'get', 'secrets', 'a', { name: 's2' })).reason,
    /no relationship found between node 'n1'/,
  );
});
