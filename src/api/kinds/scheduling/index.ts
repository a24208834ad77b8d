// scheduling.k8s.io/v1.
import type { KindDef } from '../types.ts';
import { PRIORITY_CLASS } from './priorityclass.ts';

export const SCHEDULING_KINDS: readonly KindDef[] = [PRIORITY_CLASS];
