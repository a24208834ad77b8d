// autoscaling: v2 is stored and preferred; v1 is served as a view of it (conversion per request).
import type { KindDef } from '../types.ts';
import { HORIZONTAL_POD_AUTOSCALER } from './hpa.ts';
import { HORIZONTAL_POD_AUTOSCALER_V1 } from './hpa-v1.ts';

export const AUTOSCALING_KINDS: readonly KindDef[] = [
  HORIZONTAL_POD_AUTOSCALER,
  HORIZONTAL_POD_AUTOSCALER_V1,
];
