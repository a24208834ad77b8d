// apps/v1: resources in upstream's discovery order (alphabetical).
import type { KindDef } from '../types.ts';
import { CONTROLLER_REVISION } from './controllerrevision.ts';
import { DAEMON_SET } from './daemonset.ts';
import { DEPLOYMENT } from './deployment.ts';
import { REPLICA_SET } from './replicaset.ts';
import { STATEFUL_SET } from './statefulset.ts';

export const APPS_KINDS: readonly KindDef[] = [
  CONTROLLER_REVISION,
  DAEMON_SET,
  DEPLOYMENT,
  REPLICA_SET,
  STATEFUL_SET,
];
