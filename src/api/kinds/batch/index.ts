// batch/v1: resources in upstream's discovery order (alphabetical).
import type { KindDef } from '../types.ts';
import { CRON_JOB } from './cronjob.ts';
import { JOB } from './job.ts';

export const BATCH_KINDS: readonly KindDef[] = [CRON_JOB, JOB];
