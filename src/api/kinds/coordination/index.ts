// coordination.k8s.io/v1.
import type { KindDef } from '../types.ts';
import { LEASE } from './lease.ts';

export const COORDINATION_KINDS: readonly KindDef[] = [LEASE];
