// rbac.authorization.k8s.io/v1: resources in upstream's discovery order (alphabetical).
import type { KindDef } from '../types.ts';
import { CLUSTER_ROLE, CLUSTER_ROLE_BINDING, ROLE, ROLE_BINDING } from './roles.ts';

export const RBAC_KINDS: readonly KindDef[] = [CLUSTER_ROLE_BINDING, CLUSTER_ROLE, ROLE_BINDING, ROLE];
