// The one table of merge metadata that Go struct tags and `+listType` markers carry upstream but
// kubernetes-types' .d.ts files drop. scripts/gen-schemas.ts folds it into definitions.json as
// upstream's OpenAPI extensions:
//
//   strategy / mergeKey → x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key
//   listType / listMapKeys → x-kubernetes-list-type / x-kubernetes-list-map-keys
//   mapType → x-kubernetes-map-type (on a field, or on a whole struct in ATOMIC_STRUCTS)
//
// Sources: the patchStrategy/patchMergeKey struct tags of k8s.io/api v0.32 and apimachinery
// (as compiled into kubectl 1.32), and client-go's structured-merge schema for list and map
// types. Derivation rule applied by the generator, matching how structured-merge-diff reads
// OpenAPI: a merge list with a key is a map list keyed by it, a merge list without a key (of
// scalars) is a set — unless the entry says otherwise (hostIPs and Job conditions are atomic).

export type PatchStrategy = 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';

export interface FieldMeta {
  strategy?: PatchStrategy;
  mergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: readonly string[];
  mapType?: 'atomic' | 'granular';
}

const CORE = 'io.k8s.api.core.v1';
const APPS = 'io.k8s.api.apps.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const ADMISSION = 'io.k8s.api.admissionregistration';
const FLOWCONTROL = 'io.k8s.api.flowcontrol';

const merge = (mergeKey: string, extra: FieldMeta = {}): FieldMeta => ({
  strategy: 'merge',
  mergeKey,
  ...extra,
});
const mergeRetain = (mergeKey: string): FieldMeta => ({ strategy: 'merge,retainKeys', mergeKey });
const MERGE_SET: FieldMeta = { strategy: 'merge' };
const SET: FieldMeta = { listType: 'set' };
const mapList = (...keys: string[]): FieldMeta => ({ listType: 'map', listMapKeys: keys });
const ATOMIC_MAP: FieldMeta = { mapType: 'atomic' };

/** `conditions` lists merged by their `type`, as nearly every status carries them. */
const CONDITIONS = merge('type');

/** The same entry for a type in several API versions. */
function versions(prefix: string, vers: string[], rest: string, meta: FieldMeta): [string, FieldMeta][] {
  return vers.map((v) => [`${prefix}.${v}.${rest}`, meta]);
}

/** Fields shared by Container and EphemeralContainer (EphemeralContainerCommon upstream). */
const containerFields = (def: string): [string, FieldMeta][] => [
  [`${CORE}.${def}.env`, merge('name')],
  [`${CORE}.${def}.ports`, merge('containerPort', { listMapKeys: ['containerPort', 'protocol'] })],
  [`${CORE}.${def}.volumeMounts`, merge('mountPath')],
  [`${CORE}.${def}.volumeDevices`, merge('devicePath')],
];

/** Definition name + `.` + JSON field name → merge metadata. */
export const FIELD_META: Readonly<Record<string, FieldMeta>> = Object.fromEntries<FieldMeta>([
  // core/v1: pods
  [`${CORE}.PodSpec.containers`, merge('name')],
  [`${CORE}.PodSpec.initContainers`, merge('name')],
  [`${CORE}.PodSpec.ephemeralContainers`, merge('name')],
  [`${CORE}.PodSpec.volumes`, mergeRetain('name')],
  [`${CORE}.PodSpec.imagePullSecrets`, merge('name')],
  [`${CORE}.PodSpec.hostAliases`, merge('ip')],
  [
    `${CORE}.PodSpec.topologySpreadConstraints`,
    merge('topologyKey', { listMapKeys: ['topologyKey', 'whenUnsatisfiable'] }),
  ],
  [`${CORE}.PodSpec.schedulingGates`, merge('name')],
  [`${CORE}.PodSpec.resourceClaims`, mergeRetain('name')],
  [`${CORE}.PodSpec.nodeSelector`, ATOMIC_MAP],
  ...containerFields('Container'),
  ...containerFields('EphemeralContainer'),
  [`${CORE}.ContainerStatus.volumeMounts`, merge('mountPath')],
  [`${CORE}.ContainerStatus.allocatedResourcesStatus`, merge('name')],
  [`${CORE}.PodStatus.conditions`, CONDITIONS],
  [`${CORE}.PodStatus.podIPs`, merge('ip')],
  [`${CORE}.PodStatus.hostIPs`, merge('ip', { listType: 'atomic' })],
  [`${CORE}.PodStatus.resourceClaimStatuses`, mergeRetain('name')],
  [`${CORE}.ResourceRequirements.claims`, mapList('name')],
  // core/v1: everything else
  [`${CORE}.NodeSpec.podCIDRs`, MERGE_SET],
  [`${CORE}.NodeStatus.addresses`, merge('type')],
  [`${CORE}.NodeStatus.conditions`, CONDITIONS],
  [`${CORE}.NamespaceStatus.conditions`, CONDITIONS],
  [`${CORE}.PersistentVolumeClaimStatus.conditions`, CONDITIONS],
  [`${CORE}.PersistentVolumeClaimStatus.allocatedResourceStatuses`, { mapType: 'granular' }],
  [`${CORE}.PersistentVolumeSpec.claimRef`, { mapType: 'granular' }],
  [`${CORE}.ReplicationControllerStatus.conditions`, CONDITIONS],
  [`${CORE}.ReplicationControllerSpec.selector`, ATOMIC_MAP],
  [`${CORE}.ComponentStatus.conditions`, CONDITIONS],
  [`${CORE}.ServiceSpec.ports`, merge('port', { listMapKeys: ['port', 'protocol'] })],
  [`${CORE}.ServiceSpec.selector`, ATOMIC_MAP],
  [`${CORE}.ServiceStatus.conditions`, CONDITIONS],
  [`${CORE}.ServiceAccount.secrets`, merge('name')],
  // apps/v1
  [`${APPS}.DeploymentSpec.strategy`, { strategy: 'retainKeys' }],
  [`${APPS}.DeploymentStatus.conditions`, CONDITIONS],
  [`${APPS}.ReplicaSetStatus.conditions`, CONDITIONS],
  [`${APPS}.StatefulSetStatus.conditions`, CONDITIONS],
  [`${APPS}.DaemonSetStatus.conditions`, CONDITIONS],
  // batch, autoscaling, policy
  [`io.k8s.api.batch.v1.JobStatus.conditions`, merge('type', { listType: 'atomic' })],
  [`io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement.values`, SET],
  [`io.k8s.api.batch.v1.UncountedTerminatedPods.failed`, SET],
  [`io.k8s.api.batch.v1.UncountedTerminatedPods.succeeded`, SET],
  [`io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus.conditions`, CONDITIONS],
  [`io.k8s.api.policy.v1.PodDisruptionBudgetSpec.selector`, { strategy: 'replace' }],
  [`io.k8s.api.policy.v1.PodDisruptionBudgetStatus.conditions`, CONDITIONS],
  // metadata
  [`${META}.ObjectMeta.finalizers`, MERGE_SET],
  [`${META}.ObjectMeta.ownerReferences`, merge('uid')],
  // admissionregistration
  ...versions(ADMISSION, ['v1', 'v1beta1'], 'ValidatingWebhookConfiguration.webhooks', merge('name')),
  ...versions(ADMISSION, ['v1', 'v1beta1'], 'MutatingWebhookConfiguration.webhooks', merge('name')),
  ...versions(ADMISSION, ['v1', 'v1beta1'], 'ValidatingWebhook.matchConditions', merge('name')),
  ...versions(ADMISSION, ['v1', 'v1beta1'], 'MutatingWebhook.matchConditions', merge('name')),
  ...versions(
    ADMISSION,
    ['v1', 'v1beta1', 'v1alpha1'],
    'ValidatingAdmissionPolicySpec.matchConditions',
    merge('name'),
  ),
  ...versions(
    ADMISSION,
    ['v1', 'v1beta1', 'v1alpha1'],
    'ValidatingAdmissionPolicySpec.variables',
    merge('name'),
  ),
  ...versions(
    ADMISSION,
    ['v1', 'v1beta1', 'v1alpha1'],
    'ValidatingAdmissionPolicyStatus.conditions',
    mapList('type'),
  ),
  ...versions(
    ADMISSION,
    ['v1', 'v1beta1', 'v1alpha1'],
    'ValidatingAdmissionPolicyBindingSpec.validationActions',
    SET,
  ),
  // flowcontrol
  ...versions(FLOWCONTROL, ['v1', 'v1beta3'], 'FlowSchemaStatus.conditions', CONDITIONS),
  ...versions(FLOWCONTROL, ['v1', 'v1beta3'], 'PriorityLevelConfigurationStatus.conditions', CONDITIONS),
  ...versions(FLOWCONTROL, ['v1', 'v1beta3'], 'NonResourcePolicyRule.nonResourceURLs', SET),
  ...versions(FLOWCONTROL, ['v1', 'v1beta3'], 'NonResourcePolicyRule.verbs', SET),
  ...versions(FLOWCONTROL, ['v1', 'v1beta3'], 'ResourcePolicyRule.apiGroups', SET),
  ...versions(FLOWCONTROL, ['v1', 'v1beta3'], 'ResourcePolicyRule.namespaces', SET),
  ...versions(FLOWCONTROL, ['v1', 'v1beta3'], 'ResourcePolicyRule.resources', SET),
  ...versions(FLOWCONTROL, ['v1', 'v1beta3'], 'ResourcePolicyRule.verbs', SET),
  // the rest
  [`io.k8s.api.storage.v1.CSINodeSpec.drivers`, merge('name')],
  [`io.k8s.api.storage.v1.CSIDriverSpec.volumeLifecycleModes`, SET],
  [`io.k8s.api.certificates.v1.CertificateSigningRequestStatus.conditions`, mapList('type')],
  [`io.k8s.api.discovery.v1.Endpoint.addresses`, SET],
  [`io.k8s.api.node.v1.Scheduling.nodeSelector`, ATOMIC_MAP],
  [`io.k8s.api.networking.v1alpha1.ServiceCIDRStatus.conditions`, mapList('type')],
  [`io.k8s.api.resource.v1alpha2.ResourceClaimStatus.reservedFor`, merge('uid')],
  [`io.k8s.api.resource.v1alpha2.PodSchedulingContextStatus.resourceClaims`, mapList('name')],
  [`io.k8s.api.apiserverinternal.v1alpha1.StorageVersionStatus.conditions`, mapList('type')],
  [`io.k8s.api.apiserverinternal.v1alpha1.StorageVersionStatus.storageVersions`, mapList('apiServerID')],
  [`io.k8s.api.apiserverinternal.v1alpha1.ServerStorageVersion.decodableVersions`, SET],
  [`io.k8s.api.apiserverinternal.v1alpha1.ServerStorageVersion.servedVersions`, SET],
  [`io.k8s.api.storagemigration.v1alpha1.StorageVersionMigrationStatus.conditions`, CONDITIONS],
  [`io.k8s.api.storagemigration.v1alpha1.StorageVersionMigrationList.items`, CONDITIONS],
  [
    `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus.conditions`,
    mapList('type'),
  ],
]);

/** Structs replaced as a whole by apply (`+structType=atomic`): x-kubernetes-map-type: atomic. */
export const ATOMIC_STRUCTS: readonly string[] = [
  ...['v1', 'v1beta1', 'v1alpha1'].flatMap((v) =>
    ['MatchResources', 'NamedRuleWithOperations', 'ParamKind', 'ParamRef'].map(
      (t) => `${ADMISSION}.${v}.${t}`,
    ),
  ),
  `${ADMISSION}.v1.Variable`,
  `${ADMISSION}.v1beta1.Variable`,
  'io.k8s.api.autoscaling.v1.CrossVersionObjectReference',
  ...[
    'ConfigMapKeySelector',
    'EndpointAddress',
    'EndpointPort',
    'LocalObjectReference',
    'NodeSelector',
    'NodeSelectorTerm',
    'ObjectFieldSelector',
    'ObjectReference',
    'ResourceFieldSelector',
    'ScopeSelector',
    'SecretKeySelector',
    'SecretReference',
    'TopologySelectorTerm',
    'TypedLocalObjectReference',
  ].map((t) => `${CORE}.${t}`),
  'io.k8s.api.discovery.v1.EndpointPort',
  'io.k8s.api.rbac.v1.RoleRef',
  'io.k8s.api.rbac.v1.Subject',
  `${META}.LabelSelector`,
  `${META}.OwnerReference`,
];

/** The list/map extensions an entry yields after the derivation rule above. */
export function resolveFieldMeta(meta: FieldMeta): FieldMeta {
  const out: FieldMeta = { ...meta };
  const merges = meta.strategy === 'merge' || meta.strategy === 'merge,retainKeys';
  if (merges && meta.listType === undefined) {
    out.listType = meta.mergeKey ? 'map' : 'set';
  }
  if (out.listType === 'map' && !out.listMapKeys && meta.mergeKey) out.listMapKeys = [meta.mergeKey];
  if (out.listType !== 'map') delete out.listMapKeys;
  return out;
}
