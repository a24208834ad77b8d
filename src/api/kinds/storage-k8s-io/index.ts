// storage.k8s.io/v1.
import type { KindDef } from '../types.ts';
import { STORAGE_CLASS } from './storageclass.ts';

export const STORAGE_KINDS: readonly KindDef[] = [STORAGE_CLASS];
