// autoscaling: v2 only. autoscaling/v1 HPAs would share v2's storage key (same group and
// resource) but not its schema, and the registry has no per-version conversion yet, so v1 is
// not served (see the report in kinds/README.md).
import type { KindDef } from '../types.ts';
import { HORIZONTAL_POD_AUTOSCALER } from './hpa.ts';

export const AUTOSCALING_KINDS: readonly KindDef[] = [HORIZONTAL_POD_AUTOSCALER];
