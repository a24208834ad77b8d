// A StatefulSet pod's stable identity (upstream stateful_set_utils.go): the name `<set>-<ordinal>`,
// its labels (pod-name, pod-index, controller-revision-hash), hostname and subdomain from
// serviceName, and one PersistentVolumeClaim per volumeClaimTemplate named `<template>-<pod>`
// mounted in place of any template volume of that name.
import type { KObject, OwnerReference } from '../../api/object.ts';
import { podFromTemplate } from '../common/pod-control.ts';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** On pods: the name of the ControllerRevision they were made from. */
export const POD_REVISION_LABEL = 'controller-revision-hash';

export const podName = (set: KObject, ordinal: number): string => `${set.metadata!.name}-${ordinal}`;

/** The ordinal in a pod name of this set, or undefined if the name is not `<set>-<n>`. */
export function ordinalOf(set: KObject, pod: KObject): number | undefined {
  const prefix = `${set.metadata!.name}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** spec.ordinals.start (default 0): the first ordinal. */
export const startOrdinal = (set: KObject): number => Number(set.spec?.ordinals?.start ?? 0);

export const claimName = (template: KObject, podName: string): string =>
  `${template.metadata?.name}-${podName}`;

/** A plain (non-controller) owner reference, as upstream puts on retained-or-deleted claims. */
export const ownerRefTo = (obj: KObject, apiVersion: string, kind: string): OwnerReference => ({
  apiVersion,
  kind,
  name: obj.metadata!.name!,
  uid: obj.metadata!.uid!,
});

/** persistentVolumeClaimRetentionPolicy.whenDeleted/whenScaled is Delete. */
export const claimsDeletedWith = (set: KObject, when: 'whenDeleted' | 'whenScaled'): boolean =>
  set.spec?.persistentVolumeClaimRetentionPolicy?.[when] === 'Delete';

/**
 * The claims a pod of the set needs (not yet created); owned by the set when the retention policy
 * deletes them with it, so the garbage collector removes them.
 */
export function podClaims(set: KObject, ordinal: number): KObject[] {
  const pod = podName(set, ordinal);
  const selectorLabels: Record<string, string> = set.spec?.selector?.matchLabels ?? {};
  const owners = claimsDeletedWith(set, 'whenDeleted')
    ? [ownerRefTo(set, 'apps/v1', 'StatefulSet')]
    : undefined;
  return (set.spec?.volumeClaimTemplates ?? []).map((t: KObject) => {
    const claim = structuredClone(t) as KObject;
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(t, pod),
        namespace: set.metadata!.namespace,
        labels: { ...(claim.metadata?.labels ?? {}), ...selectorLabels },
        ...(claim.metadata?.annotations ? { annotations: claim.metadata.annotations } : {}),
        ...(owners ? { ownerReferences: owners } : {}),
      },
      spec: claim.spec ?? {},
    };
  });
}

/** A new pod for an ordinal from the given revision's template. */
export function newSetPod(
  set: KObject,
  template: KObject,
  ordinal: number,
  revisionName: string,
  ref: OwnerReference,
): KObject {
  const name = podName(set, ordinal);
  const pod = podFromTemplate(template, set.metadata!.namespace!, ref);
  pod.metadata!.name = name;
  pod.metadata!.labels = {
    ...pod.metadata!.labels,
    [POD_NAME_LABEL]: name,
    [POD_INDEX_LABEL]: String(ordinal),
    [POD_REVISION_LABEL]: revisionName,
  };
  pod.spec.hostname = name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  const templates: KObject[] = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length) {
    const claimed = new Set(templates.map((t) => t.metadata?.name));
    pod.spec.volumes = [
      ...(pod.spec.volumes ?? []).filter((v: KObject) => !claimed.has(v.name)),
      ...templates.map((t) => ({
        name: t.metadata?.name,
        persistentVolumeClaim: { claimName: claimName(t, name) },
      })),
    ];
  }
  return pod;
}

export const podRevision = (pod: KObject): string | undefined => pod.metadata?.labels?.[POD_REVISION_LABEL];
