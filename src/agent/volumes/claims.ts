// PersistentVolumeClaim volumes: a pod's claim → its bound PersistentVolume → a host directory the
// containers bind-mount (hostPath or local PVs; skiff's local-path provisioner makes hostPath ones).
// Until every claim is Bound the pod waits, as the kubelet's volume manager does: no sandbox, its
// containers in ContainerCreating, and a FailedMount event each time the mount wait times out.
import type { PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../../api/object.ts';
import { isNotFound, type RestClient } from '../../client/index.ts';

const PVCS = { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespaced: true };
const PVS = { group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false };

/** The kubelet's podAttachAndMountTimeout (2 min 3 s): how long a pod waits before FailedMount. */
export const VOLUME_MOUNT_TIMEOUT_MS = 123_000;
/** The tail of the kubelet's FailedMount message once the wait timed out. */
export const MOUNT_TIMEOUT_MESSAGE = 'timed out waiting for the condition';

export interface ClaimVolume {
  /** The directory on this node. */
  path: string;
  /** The pod volume's `persistentVolumeClaim.readOnly`: every mount of it is read-only. */
  readOnly: boolean;
  /** hostPath type DirectoryOrCreate (or unset, which local-path volumes rely on). */
  createDir: boolean;
  /** The volume it came from, for the local-path janitor. */
  pv: PersistentVolume;
}

/** A claim that cannot be mounted yet (absent, unbound, its volume missing); the pod waits. */
export class ClaimNotReadyError extends Error {
  readonly volumes: string[];
  constructor(volumes: string[], message: string) {
    super(message);
    this.name = 'ClaimNotReadyError';
    this.volumes = volumes;
  }
}

/** The kubelet's event once the wait timed out, naming the volumes still unmounted. */
export function mountTimeoutMessage(unmounted: string[]): string {
  const list = `[${[...unmounted].sort().join(' ')}]`;
  return `Unable to attach or mount volumes: unmounted volumes=${list}, unattached volumes=${list}, failed to process volumes=${list}: ${MOUNT_TIMEOUT_MESSAGE}`;
}

/** Why `pvc` (for volume `v`) cannot be used yet, or undefined when it is Bound to a volume. */
export function claimProblem(ns: string, claimName: string, pvc: PersistentVolumeClaim | undefined) {
  if (!pvc) return `error processing PVC ${ns}/${claimName}: PVC ${ns}/${claimName} not found`;
  if (pvc.metadata?.deletionTimestamp)
    return `error processing PVC ${ns}/${claimName}: can't start pod because PVC ${ns}/${claimName} is being deleted`;
  const phase = pvc.status?.phase ?? '';
  const volumeName = pvc.spec?.volumeName ?? '';
  if (phase !== 'Bound' || volumeName === '')
    return `error processing PVC ${ns}/${claimName}: PVC ${ns}/${claimName} has non-bound phase ("${phase}") or empty pvc.Spec.VolumeName ("${volumeName}")`;
  return undefined;
}

/** The host directory of a bound volume, checking that the volume is bound to this very claim. */
export function claimVolume(
  v: Volume,
  pvc: PersistentVolumeClaim,
  pv: PersistentVolume,
): ClaimVolume | string {
  const pvName = pv.metadata?.name ?? '';
  const claimUid = pvc.metadata?.uid;
  if (pv.spec?.claimRef?.uid && claimUid && pv.spec.claimRef.uid !== claimUid)
    return `the PV "${pvName}" is bound to another claim (claimRef UID ${pv.spec.claimRef.uid}, claim UID ${claimUid})`;
  const readOnly = v.persistentVolumeClaim?.readOnly === true;
  if (pv.spec?.hostPath) {
    const type = pv.spec.hostPath.type ?? '';
    return {
      path: pv.spec.hostPath.path,
      readOnly,
      createDir: type === '' || type === 'DirectoryOrCreate',
      pv,
    };
  }
  if (pv.spec?.local) return { path: pv.spec.local.path, readOnly, createDir: false, pv };
  return `PV "${pvName}" has a volume source this node cannot mount (only hostPath and local)`;
}

async function getOrUndefined<T>(fetch: () => Promise<KObject>): Promise<T | undefined> {
  try {
    return (await fetch()) as T;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Every claim volume of the pod, resolved; throws ClaimNotReadyError while any must wait. */
export async function resolveClaims(client: RestClient, pod: Pod): Promise<Map<string, ClaimVolume>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const out = new Map<string, ClaimVolume>();
  const waiting: string[] = [];
  const problems: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const claimName = v.persistentVolumeClaim?.claimName;
    if (!claimName) continue;
    const pvc = await getOrUndefined<PersistentVolumeClaim>(() =>
      client.resource<KObject>(PVCS, ns).get(claimName),
    );
    const problem = claimProblem(ns, claimName, pvc);
    if (problem || !pvc) {
      waiting.push(v.name);
      problems.push(problem ?? '');
      continue;
    }
    const pvName = pvc.spec?.volumeName ?? '';
    const pv = await getOrUndefined<PersistentVolume>(() => client.resource<KObject>(PVS).get(pvName));
    const res = pv ? claimVolume(v, pvc, pv) : `failed to fetch PV "${pvName}" from API server: not found`;
    if (typeof res === 'string') {
      waiting.push(v.name);
      problems.push(res);
      continue;
    }
    out.set(v.name, res);
  }
  if (waiting.length) throw new ClaimNotReadyError(waiting, problems.join('; '));
  return out;
}
