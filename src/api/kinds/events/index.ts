// events.k8s.io/v1.
import type { KindDef } from '../types.ts';
import { EVENTS_V1_EVENT } from './event.ts';

export const EVENTS_KINDS: readonly KindDef[] = [EVENTS_V1_EVENT];
