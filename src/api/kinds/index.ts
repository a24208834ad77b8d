// Every kind the API server serves, in discovery order: the core group first, then the groups in
// the order upstream's /apis lists them (its group priorities), each group's resources sorted.
import { APPS_KINDS } from './apps/index.ts';
import { AUTOSCALING_KINDS } from './autoscaling/index.ts';
import { BATCH_KINDS } from './batch/index.ts';
import { CERTIFICATES_KINDS } from './certificates/index.ts';
import { COORDINATION_KINDS } from './coordination/index.ts';
import { CORE_KINDS } from './core/index.ts';
import { DISCOVERY_KINDS } from './discovery/index.ts';
import { EVENTS_KINDS } from './events/index.ts';
import { NETWORKING_KINDS } from './networking/index.ts';
import { NODE_KINDS } from './node/index.ts';
import { POLICY_KINDS } from './policy/index.ts';
import { RBAC_KINDS } from './rbac/index.ts';
import { SCHEDULING_KINDS } from './scheduling/index.ts';
import { STORAGE_KINDS } from './storage-k8s-io/index.ts';
import type { KindDef } from './types.ts';

export const ALL_KINDS: readonly KindDef[] = [
  ...CORE_KINDS,
  ...APPS_KINDS,
  ...EVENTS_KINDS,
  ...AUTOSCALING_KINDS,
  ...BATCH_KINDS,
  ...CERTIFICATES_KINDS,
  ...NETWORKING_KINDS,
  ...POLICY_KINDS,
  ...RBAC_KINDS,
  ...STORAGE_KINDS,
  ...SCHEDULING_KINDS,
  ...COORDINATION_KINDS,
  ...NODE_KINDS,
  ...DISCOVERY_KINDS,
];

/** The kind serving a resource, e.g. `findKind('apps', 'deployments')`. */
export function findKind(group: string, plural: string, version?: string): KindDef | undefined {
  return ALL_KINDS.find(
    (k) => k.group === group && k.plural === plural && (version === undefined || k.version === version),
  );
}
