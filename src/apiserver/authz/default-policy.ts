// The cluster roles and bindings every cluster starts with, as upstream's bootstrappolicy (modern
// shape: admin/edit/view aggregate the `system:aggregate-to-*` roles through labels, so custom roles
// labelled `rbac.authorization.k8s.io/aggregate-to-edit: "true"` extend them). Reconciled on every
// start (missing rules or subjects are added back; extra ones a user added are kept, as upstream's
// `rbac.authorization.kubernetes.io/autoupdate` reconciliation does).
import type { KObject } from '../../api/object.ts';
import type { PolicyRule } from './types.ts';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];
const RBAC = 'rbac.authorization.k8s.io';

export const BOOTSTRAP_LABEL = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
export const AGGREGATE_TO_ADMIN = `${RBAC}/aggregate-to-admin`;
export const AGGREGATE_TO_EDIT = `${RBAC}/aggregate-to-edit`;
export const AGGREGATE_TO_VIEW = `${RBAC}/aggregate-to-view`;

export const MASTERS_GROUP = 'system:masters';
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
export const NODES_GROUP = 'system:nodes';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
export const SCHEDULER_USER = 'system:kube-scheduler';
export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const PROXY_USER = 'system:kube-proxy';
/** The node's cluster DNS server (skiff runs it in the agent, CoreDNS's role in upstream clusters). */
export const DNS_USER = 'system:skiff-dns';
/** The reads a joined node's own network components need (bound to system:nodes). */
export const NODE_NETWORK_ROLE = 'system:skiff-node-network';

const rule = (
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });
const events = (): PolicyRule[] => [
  rule(['create', 'update', 'patch'], [''], ['events']),
  rule(['create', 'update', 'patch'], ['events.k8s.io'], ['events']),
];

const VIEW_RULES: PolicyRule[] = [
  rule(
    READ,
    [''],
    [
      'pods',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/status',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'configmaps',
    ],
  ),
  rule(
    READ,
    [''],
    [
      'limitranges',
      'resourcequotas',
      'bindings',
      'events',
      'pods/status',
      'resourcequotas/status',
      'namespaces/status',
      'replicationcontrollers/status',
      'pods/log',
    ],
  ),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(
    READ,
    ['apps'],
    [
      'controllerrevisions',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
    ],
  ),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(
    READ,
    ['extensions'],
    [
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'ingresses',
      'ingresses/status',
      'networkpolicies',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'replicationcontrollers/scale',
    ],
  ),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

const EDIT_RULES: PolicyRule[] = [
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  rule(['create'], [''], ['pods/eviction']),
  rule(
    WRITE,
    [''],
    [
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/proxy',
      'persistentvolumeclaims',
      'configmaps',
      'secrets',
      'events',
    ],
  ),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(
    WRITE,
    ['apps'],
    [
      'statefulsets',
      'statefulsets/scale',
      'daemonsets',
      'deployments',
      'deployments/scale',
      'deployments/rollback',
      'replicasets',
      'replicasets/scale',
    ],
  ),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(
    WRITE,
    ['extensions'],
    [
      'daemonsets',
      'deployments',
      'deployments/scale',
      'deployments/rollback',
      'ingresses',
      'networkpolicies',
      'replicasets',
      'replicasets/scale',
      'replicationcontrollers/scale',
    ],
  ),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(
    READ,
    [''],
    ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'],
  ),
  rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
];

const ADMIN_RULES: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(READ_WRITE, [RBAC], ['rolebindings', 'roles']),
];

/** What a node may do at all; the Node authorizer narrows secrets/configmaps/PVCs to its own pods. */
export const NODE_RULES: PolicyRule[] = [
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  rule(READ, [''], ['services']),
  rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
  rule(['update', 'patch'], [''], ['nodes/status']),
  rule(['update', 'patch', 'delete'], [''], ['nodes']),
  ...events(),
  rule(READ, [''], ['pods']),
  rule(['create', 'delete'], [''], ['pods']),
  rule(['update', 'patch'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  rule(['get'], [''], ['secrets', 'configmaps']),
  rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
  rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  rule(READ, ['storage.k8s.io'], ['csidrivers', 'csinodes', 'volumeattachments']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  // Its own certificates: a serving certificate for the agent API, client certificate rotation.
  rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
];

const clusterRole = (
  name: string,
  rules: PolicyRule[],
  extra: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): KObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'ClusterRole',
  metadata: {
    name,
    labels: { ...BOOTSTRAP_LABEL, ...(extra.labels ?? {}) },
    annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
  },
  ...(extra.aggregateFrom
    ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [extra.aggregateFrom]: 'true' } }] } }
    : {}),
  rules,
});

type Subject = { kind: 'User' | 'Group'; name: string };
const clusterBinding = (name: string, subjects: Subject[], role = name): KObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: { ...BOOTSTRAP_LABEL }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
  subjects: subjects.map((s) => ({ ...s, apiGroup: RBAC })),
});

export function defaultClusterRoles(): KObject[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('system:discovery', [
      urls(
        ['get'],
        [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      ),
    ]),
    clusterRole('system:public-info-viewer', [
      urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/']),
    ]),
    // Upstream's monitoring role, plus skiff's `/slo` SLI report.
    clusterRole('system:monitoring', [
      urls(
        ['get'],
        [
          '/healthz',
          '/healthz/*',
          '/livez',
          '/livez/*',
          '/metrics',
          '/metrics/slis',
          '/readyz',
          '/readyz/*',
          '/slo',
        ],
      ),
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('admin', [], { aggregateFrom: AGGREGATE_TO_ADMIN }),
    clusterRole('edit', [], { aggregateFrom: AGGREGATE_TO_EDIT, labels: { [AGGREGATE_TO_ADMIN]: 'true' } }),
    clusterRole('view', [], { aggregateFrom: AGGREGATE_TO_VIEW, labels: { [AGGREGATE_TO_EDIT]: 'true' } }),
    clusterRole('system:aggregate-to-admin', ADMIN_RULES, { labels: { [AGGREGATE_TO_ADMIN]: 'true' } }),
    clusterRole('system:aggregate-to-edit', EDIT_RULES, { labels: { [AGGREGATE_TO_EDIT]: 'true' } }),
    clusterRole('system:aggregate-to-view', VIEW_RULES, { labels: { [AGGREGATE_TO_VIEW]: 'true' } }),
    clusterRole('system:node', NODE_RULES),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [''], ['services', 'endpoints']),
      rule(['get', 'list', 'watch'], [''], ['nodes']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
      ...events(),
    ]),
    // NetworkPolicy enforcement runs beside kube-proxy under its identity (k3s's embedded
    // network-policy controller reads the same objects).
    clusterRole('system:skiff-network-policy', [
      rule(['list', 'watch'], [''], ['pods', 'namespaces']),
      rule(['list', 'watch'], ['networking.k8s.io'], ['networkpolicies']),
    ]),
    // A joined agent's network components (service proxy, NetworkPolicy enforcer, node-local
    // cluster DNS) speak as the node itself, having no CA to mint component certificates. The Node
    // authorizer already lets a node read services, endpointslices, pods and nodes; this adds the
    // two reads they need beyond that — and no writes (the kube-dns objects stay system:skiff-dns's).
    clusterRole(NODE_NETWORK_ROLE, [
      rule(['list', 'watch'], [''], ['namespaces']),
      rule(['list', 'watch'], ['networking.k8s.io'], ['networkpolicies']),
    ]),
    // CoreDNS's system:coredns, plus keeping the kube-dns Service and its EndpointSlice (which
    // point at the node-local server) in shape.
    clusterRole('system:skiff-dns', [
      rule(['list', 'watch'], [''], ['endpoints', 'services', 'pods', 'namespaces']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
      rule(['get', 'create', 'update'], [''], ['services']),
      rule(['get', 'create', 'update'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:kube-scheduler', [
      ...events(),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler', 'skiff-scheduler']),
      rule(READ, [''], ['nodes', 'namespaces', 'replicationcontrollers', 'services']),
      rule([...READ, 'delete'], [''], ['pods']),
      rule(['create'], [''], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(READ, ['apps'], ['replicasets', 'statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(READ, ['storage.k8s.io'], ['csinodes', 'csidrivers', 'csistoragecapacities', 'storageclasses']),
    ]),
    // skiff runs every controller under one identity (upstream gives each its own service account),
    // and the garbage collector and namespace controller must reach every resource.
    clusterRole('system:kube-controller-manager', [rule(['*'], ['*'], ['*'])]),
    clusterRole('system:node-bootstrapper', [
      rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    ]),
  ];
}

export function defaultClusterRoleBindings(): KObject[] {
  return [
    clusterBinding('cluster-admin', [{ kind: 'Group', name: MASTERS_GROUP }]),
    clusterBinding('system:discovery', [{ kind: 'Group', name: AUTHENTICATED_GROUP }]),
    clusterBinding('system:basic-user', [{ kind: 'Group', name: AUTHENTICATED_GROUP }]),
    clusterBinding('system:public-info-viewer', [
      { kind: 'Group', name: AUTHENTICATED_GROUP },
      { kind: 'Group', name: UNAUTHENTICATED_GROUP },
    ]),
    clusterBinding('system:monitoring', [{ kind: 'Group', name: 'system:monitoring' }]),
    // Nodes are authorized by the Node authorizer; upstream keeps this binding without subjects.
    clusterBinding('system:node', []),
    clusterBinding('system:node-proxier', [{ kind: 'User', name: PROXY_USER }]),
    clusterBinding('system:skiff-network-policy', [{ kind: 'User', name: PROXY_USER }]),
    clusterBinding('system:skiff-dns', [{ kind: 'User', name: DNS_USER }]),
    clusterBinding(NODE_NETWORK_ROLE, [{ kind: 'Group', name: NODES_GROUP }]),
    clusterBinding('system:kube-scheduler', [{ kind: 'User', name: SCHEDULER_USER }]),
    clusterBinding('system:kube-controller-manager', [{ kind: 'User', name: CONTROLLER_MANAGER_USER }]),
    clusterBinding('system:node-bootstrapper', [{ kind: 'Group', name: BOOTSTRAPPERS_GROUP }]),
  ];
}
