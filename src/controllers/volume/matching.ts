// Which PersistentVolume a claim binds to, and the objects binding writes — pure, as upstream's
// pv controller index (findBestMatchForClaim): same class, every requested access mode, enough
// capacity, not bound elsewhere; the smallest such volume wins.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.d.ts';
import { tryParseQuantity } from '../../api/quantity.ts';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

/** Bytes as a bigint (nano-units; comparisons only). Unparseable counts as 0. */
const storageOf = (q: string | undefined): bigint => (q ? (tryParseQuantity(q)?.nanos ?? 0n) : 0n);

export const requestOf = (pvc: PersistentVolumeClaim): string =>
  pvc.spec?.resources?.requests?.storage ?? '0';

export function classOfClaim(pvc: PersistentVolumeClaim): string {
  return pvc.spec?.storageClassName ?? '';
}

/** A volume this claim may bind to (claimRef empty, or already naming this claim). */
export function matches(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (ref && (ref.namespace !== pvc.metadata?.namespace || ref.name !== pvc.metadata?.name)) return false;
  if (ref?.uid && ref.uid !== pvc.metadata?.uid) return false;
  if (pv.metadata?.deletionTimestamp) return false;
  if (!ref && pv.status?.phase && pv.status.phase !== 'Available') return false;
  if ((pv.spec?.storageClassName ?? '') !== classOfClaim(pvc)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return false;
  const modes = new Set(pv.spec?.accessModes ?? []);
  if (!(pvc.spec?.accessModes ?? []).every((m) => modes.has(m))) return false;
  return storageOf(pv.spec?.capacity?.storage) >= storageOf(requestOf(pvc));
}

/** The smallest matching volume; one pre-bound to the claim wins outright. */
export function bestMatch(
  pvs: readonly PersistentVolume[],
  pvc: PersistentVolumeClaim,
): PersistentVolume | undefined {
  let best: PersistentVolume | undefined;
  for (const pv of pvs) {
    if (!matches(pv, pvc)) continue;
    if (pv.spec?.claimRef) return pv;
    if (!best || storageOf(pv.spec?.capacity?.storage) < storageOf(best.spec?.capacity?.storage)) best = pv;
  }
  return best;
}

/** The local-path volume provisioned for a claim on a node. */
export function localPathVolume(
  pvc: PersistentVolumeClaim,
  o: { node: string; root: string; provisioner: string; reclaimPolicy: string },
): PersistentVolume {
  const { name, namespace, uid } = pvc.metadata as { name: string; namespace: string; uid: string };
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pvc-${uid}`, annotations: { [ANN_PROVISIONED_BY]: o.provisioner } },
    spec: {
      capacity: { storage: requestOf(pvc) },
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: o.reclaimPolicy,
      storageClassName: classOfClaim(pvc),
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      hostPath: {
        path: `${o.root.replace(/\/+$/, '')}/pvc-${uid}_${namespace}_${name}`,
        type: 'DirectoryOrCreate',
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] },
          ],
        },
      },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid },
    },
  };
}
