// The resources the workload controllers read and write, resolved once from the kind registry.
import { findKind } from '../../api/kinds/index.ts';
import type { KindDef } from '../../api/kinds/types.ts';
import { type ResourceRef, refOf } from '../../client/index.ts';

const ref = (group: string, plural: string): ResourceRef => {
  const k: KindDef | undefined = findKind(group, plural);
  if (!k) throw new Error(`kind ${plural}.${group} is not registered`);
  return refOf(k);
};

export const REPLICASETS = ref('apps', 'replicasets');
export const DEPLOYMENTS = ref('apps', 'deployments');
export const DAEMONSETS = ref('apps', 'daemonsets');
export const STATEFULSETS = ref('apps', 'statefulsets');
export const CONTROLLER_REVISIONS = ref('apps', 'controllerrevisions');
export const REPLICATION_CONTROLLERS = ref('', 'replicationcontrollers');
export const PERSISTENT_VOLUME_CLAIMS = ref('', 'persistentvolumeclaims');
export const JOBS = ref('batch', 'jobs');
export const CRONJOBS = ref('batch', 'cronjobs');

/** `apps/v1` for a ref. */
export const apiVersionOfRef = (r: ResourceRef): string => (r.group ? `${r.group}/${r.version}` : r.version);
