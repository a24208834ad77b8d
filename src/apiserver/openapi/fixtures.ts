// KindDefs for the OpenAPI tests: just the fields the document builder reads, shaped like the
// real registry entries (pods, namespaces, deployments, a create-only review, a custom kind).
import type { KindDef, SubresourceDef } from '../../api/kinds/types.ts';

const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const READ_WRITE = ['get', 'patch', 'update'];

interface Spec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs?: string[];
  subresources?: SubresourceDef[];
}

export function testKind(s: Spec): KindDef {
  return {
    group: s.group,
    version: s.version,
    kind: s.kind,
    listKind: `${s.kind}List`,
    plural: s.plural,
    singular: s.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced: s.namespaced,
    verbs: s.verbs ?? STANDARD_VERBS,
    subresources: s.subresources ?? [],
    hasStatus: (s.subresources ?? []).some((r) => r.name === 'status'),
    bumpsGeneration: false,
    fieldSelectors: {},
    defaults: () => {},
    validate: () => [],
    validateUpdate: () => [],
    table: { columns: [], cells: () => [] },
  };
}

const status = (group: string, version: string, kind: string): SubresourceDef => ({
  name: 'status',
  kind: { group, version, kind },
  verbs: READ_WRITE,
});

export const POD = testKind({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  namespaced: true,
  subresources: [
    { name: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
    { name: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
    { name: 'exec', kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
    { name: 'log', kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
    status('', 'v1', 'Pod'),
  ],
});

export const NAMESPACE = testKind({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
  verbs: STANDARD_VERBS.filter((v) => v !== 'deletecollection'),
  subresources: [status('', 'v1', 'Namespace')],
});

export const CONFIGMAP = testKind({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
});

export const DEPLOYMENT = testKind({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
  subresources: [
    { name: 'scale', kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: READ_WRITE },
    status('apps', 'v1', 'Deployment'),
  ],
});

export const CLUSTER_ROLE = testKind({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  namespaced: false,
});

export const SELF_SUBJECT_REVIEW = testKind({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  namespaced: false,
  verbs: ['create'],
});

/** A kind with no built-in schema, like a custom resource. */
export const WIDGET = testKind({
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

export const ALL_TEST_KINDS = [
  POD,
  NAMESPACE,
  CONFIGMAP,
  DEPLOYMENT,
  CLUSTER_ROLE,
  SELF_SUBJECT_REVIEW,
  WIDGET,
];
