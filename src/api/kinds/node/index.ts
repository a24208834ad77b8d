// node.k8s.io/v1.
import type { KindDef } from '../types.ts';
import { RUNTIME_CLASS } from './runtimeclass.ts';

export const NODE_KINDS: readonly KindDef[] = [RUNTIME_CLASS];
