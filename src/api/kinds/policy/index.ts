// policy/v1.
import type { KindDef } from '../types.ts';
import { POD_DISRUPTION_BUDGET } from './pdb.ts';

export const POLICY_KINDS: readonly KindDef[] = [POD_DISRUPTION_BUDGET];
