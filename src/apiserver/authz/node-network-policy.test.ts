// What a joined node's network components (proxy, NetworkPolicy enforcer, node-local DNS) may do
// with the node's own credential, through the real chain (Node authorizer, then RBAC over the
// default policy): the reads they watch, and none of the writes that would let a node redirect
// Services or read what its pods do not use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregatedRules } from './aggregation.ts';
import {
  defaultClusterRoleBindings,
  defaultClusterRoles,
  NODE_NETWORK_ROLE,
  NODES_GROUP,
} from './default-policy.ts';
import { NodeAuthorizer } from './node-authorizer.ts';
import { RbacAuthorizer } from './rbac-authorizer.ts';
import { RbacIndex } from './rbac-index.ts';
import { StaticSource } from './static-source.ts';
import type { AuthzAttributes } from './types.ts';

function chain(bindings = defaultClusterRoleBindings()): (a: AuthzAttributes) => boolean {
  const roles = defaultClusterRoles();
  for (const r of roles) r.rules = aggregatedRules(r, roles) ?? r.rules;
  const rbac = new RbacAuthorizer(
    new RbacIndex({
      roles: new StaticSource([]),
      clusterRoles: new StaticSource(roles),
      roleBindings: new StaticSource([]),
      clusterRoleBindings: new StaticSource(bindings),
    }),
  );
  const node = new NodeAuthorizer(new StaticSource([]));
  return (a) => node.authorize(a).decision === 'allow' || rbac.authorize(a).decision === 'allow';
}

const NODE_USER = { username: 'system:node:b', groups: [NODES_GROUP, 'system:authenticated'] };
const req = (verb: string, apiGroup: string, resource: string, namespace = ''): AuthzAttributes => ({
  user: NODE_USER,
  verb,
  resourceRequest: true,
  apiGroup,
  resource,
  subresource: '',
  namespace,
  name: '',
  path: '',
});

/** Every list+watch the proxy, the enforcer and the DNS server start (src/proxy, src/netpol, src/dns). */
const WATCHED: [string, string][] = [
  ['', 'services'],
  ['discovery.k8s.io', 'endpointslices'],
  ['', 'pods'],
  ['', 'namespaces'],
  ['', 'nodes'],
  ['networking.k8s.io', 'networkpolicies'],
];

test('a node may list and watch everything its network components watch', () => {
  const allowed = chain();
  for (const [group, resource] of WATCHED)
    for (const verb of ['list', 'watch'])
      assert.ok(allowed(req(verb, group, resource)), `${verb} ${group}/${resource} refused`);
});

test('the reads come from the system:nodes binding (without it the node may not list namespaces)', () => {
  const allowed = chain(defaultClusterRoleBindings().filter((b) => b.metadata?.name !== NODE_NETWORK_ROLE));
  assert.equal(allowed(req('list', '', 'namespaces')), false);
  assert.equal(allowed(req('watch', 'networking.k8s.io', 'networkpolicies')), false);
});

test('a node gets no Service, endpoint, policy or secret powers from it', () => {
  const allowed = chain();
  const refused: AuthzAttributes[] = [
    req('create', '', 'services', 'kube-system'),
    req('update', '', 'services', 'kube-system'),
    req('create', 'discovery.k8s.io', 'endpointslices', 'kube-system'),
    req('update', 'discovery.k8s.io', 'endpointslices', 'kube-system'),
    req('delete', 'networking.k8s.io', 'networkpolicies', 'default'),
    req('update', '', 'namespaces'),
    req('list', '', 'secrets'),
    req('list', '', 'configmaps'),
  ];
  for (const a of refused) assert.equal(allowed(a), false, `${a.verb} ${a.apiGroup}/${a.resource} allowed`);
});
