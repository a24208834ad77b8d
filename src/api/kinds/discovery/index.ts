// discovery.k8s.io/v1.
import type { KindDef } from '../types.ts';
import { ENDPOINT_SLICE } from './endpointslice.ts';

export const DISCOVERY_KINDS: readonly KindDef[] = [ENDPOINT_SLICE];
