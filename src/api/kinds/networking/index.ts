// networking.k8s.io/v1: resources in upstream's discovery order (alphabetical).
import type { KindDef } from '../types.ts';
import { INGRESS, INGRESS_CLASS } from './ingress.ts';
import { NETWORK_POLICY } from './networkpolicy.ts';

export const NETWORKING_KINDS: readonly KindDef[] = [INGRESS_CLASS, INGRESS, NETWORK_POLICY];
