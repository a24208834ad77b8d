// Which (apiVersion, kind) pairs a protobuf body may carry, and the message each one is.
import { lookupMessage, type Message } from './registry.ts';

/** apiVersion → [package, top-level kinds]. List types are not accepted as request bodies. */
const SERVED: ReadonlyArray<readonly [apiVersion: string, pkg: string, kinds: readonly string[]]> = [
  [
    'v1',
    'core',
    [
      'Namespace',
      'Pod',
      'Service',
      'Endpoints',
      'ConfigMap',
      'Secret',
      'ServiceAccount',
      'Node',
      'Event',
      'LimitRange',
      'ResourceQuota',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'ReplicationController',
      'PodTemplate',
      'Binding',
      'ComponentStatus',
    ],
  ],
  ['apps/v1', 'apps', ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision']],
  ['batch/v1', 'batch', ['Job', 'CronJob']],
  ['autoscaling/v1', 'autoscalingv1', ['HorizontalPodAutoscaler', 'Scale']],
  ['autoscaling/v2', 'autoscalingv2', ['HorizontalPodAutoscaler']],
  ['coordination.k8s.io/v1', 'coordination', ['Lease']],
  ['discovery.k8s.io/v1', 'discovery', ['EndpointSlice']],
  ['events.k8s.io/v1', 'events', ['Event']],
  ['networking.k8s.io/v1', 'networking', ['NetworkPolicy', 'Ingress', 'IngressClass']],
  ['policy/v1', 'policy', ['PodDisruptionBudget', 'Eviction']],
  ['scheduling.k8s.io/v1', 'scheduling', ['PriorityClass']],
  ['node.k8s.io/v1', 'node', ['RuntimeClass']],
  ['storage.k8s.io/v1', 'storage', ['StorageClass']],
  ['rbac.authorization.k8s.io/v1', 'rbac', ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']],
  [
    'authorization.k8s.io/v1',
    'authorization',
    ['SubjectAccessReview', 'SelfSubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview'],
  ],
  ['authentication.k8s.io/v1', 'authentication', ['TokenReview', 'TokenRequest', 'SelfSubjectReview']],
  ['meta.k8s.io/v1', 'meta', ['PartialObjectMetadata']],
];

/**
 * Upstream registers the write options in every group version (metav1.AddToGroupVersion), so a
 * typed client's DeleteOptions arrives as `v1`, `apps/v1`, … or `meta.k8s.io/v1`.
 */
const OPTIONS_KINDS = ['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions'];
/** Status is unversioned: upstream encodes it with apiVersion v1. */
const UNVERSIONED_KINDS = ['Status'];

function build(): Map<string, Message> {
  const byKey = new Map<string, Message>();
  const add = (apiVersion: string, kind: string, qualified: string) => {
    const msg = lookupMessage(qualified);
    if (!msg) throw new Error(`protobuf kinds: ${apiVersion} ${kind} has no table entry ${qualified}`);
    byKey.set(`${apiVersion}/${kind}`, msg);
  };
  for (const [apiVersion, pkg, kinds] of SERVED) {
    for (const kind of kinds) add(apiVersion, kind, `${pkg}.${kind}`);
    for (const kind of OPTIONS_KINDS) add(apiVersion, kind, `meta.${kind}`);
  }
  for (const kind of UNVERSIONED_KINDS) {
    add('v1', kind, `meta.${kind}`);
    add('meta.k8s.io/v1', kind, `meta.${kind}`);
  }
  return byKey;
}

const KINDS = build();

/** The message for a body's apiVersion and kind, or undefined when none is registered. */
export const messageForKind = (apiVersion: string, kind: string): Message | undefined =>
  KINDS.get(`${apiVersion}/${kind}`);

/** Every registered [apiVersion, kind] (for tests and discovery of what protobuf covers). */
export const protobufKinds = (): Array<[apiVersion: string, kind: string]> =>
  [...KINDS.keys()].map((key) => {
    const cut = key.lastIndexOf('/');
    return [key.slice(0, cut), key.slice(cut + 1)];
  });
