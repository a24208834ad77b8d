// Whether a Job has succeeded or failed (upstream syncJob's checks, 1.31+ semantics): the first
// verdict is recorded as FailureTarget or SuccessCriteriaMet; the terminal Failed or Complete
// condition follows once no pod of the Job is left running. Checked in upstream's order: pod
// failure policy, backoffLimit, activeDeadlineSeconds, then completions.
import type { KObject } from '../../api/object.ts';
import type { Condition } from '../common/conditions.ts';
import { REASON_POD_FAILURE_POLICY } from './failure-policy.ts';

export const CONDITION_COMPLETE = 'Complete';
export const CONDITION_FAILED = 'Failed';
export const CONDITION_FAILURE_TARGET = 'FailureTarget';
export const CONDITION_SUCCESS_CRITERIA_MET = 'SuccessCriteriaMet';
export const CONDITION_SUSPENDED = 'Suspended';

export const REASON_BACKOFF_LIMIT_EXCEEDED = 'BackoffLimitExceeded';
export const REASON_DEADLINE_EXCEEDED = 'DeadlineExceeded';
export const REASON_COMPLETIONS_REACHED = 'CompletionsReached';

export const MESSAGE_BACKOFF_LIMIT = 'Job has reached the specified backoff limit';
export const MESSAGE_DEADLINE = 'Job was active longer than specified deadline';
export const MESSAGE_COMPLETIONS_REACHED = 'Reached expected number of succeeded pods';

/** Upstream's default spec.backoffLimit. */
const DEFAULT_BACKOFF_LIMIT = 6;

export interface Verdict {
  /** FailureTarget or SuccessCriteriaMet. */
  type: string;
  reason: string;
  message: string;
}

export interface JudgeInput {
  spec: KObject;
  nowMs: number;
  startedMs?: number;
  succeeded: number;
  failed: number;
  active: number;
  /** Container restarts of running pods (they count against backoffLimit under OnFailure). */
  restarts: number;
  /** The message of a FailJob pod failure policy rule that matched, if any. */
  policyFailure?: string;
}

const failure = (reason: string, message: string): Verdict => ({
  type: CONDITION_FAILURE_TARGET,
  reason,
  message,
});

export function judgeJob(i: JudgeInput): Verdict | undefined {
  const spec = i.spec;
  if (i.policyFailure) return failure(REASON_POD_FAILURE_POLICY, i.policyFailure);
  const backoffLimit = Number(spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT);
  const onFailure = spec.template?.spec?.restartPolicy === 'OnFailure';
  const pastOnFailure = onFailure && (backoffLimit === 0 ? i.restarts > 0 : i.restarts >= backoffLimit);
  if (i.failed > backoffLimit || pastOnFailure)
    return failure(REASON_BACKOFF_LIMIT_EXCEEDED, MESSAGE_BACKOFF_LIMIT);
  const deadline = spec.activeDeadlineSeconds;
  if (
    typeof deadline === 'number' &&
    i.startedMs !== undefined &&
    spec.suspend !== true &&
    i.nowMs >= i.startedMs + deadline * 1000
  ) {
    return failure(REASON_DEADLINE_EXCEEDED, MESSAGE_DEADLINE);
  }
  const completions = typeof spec.completions === 'number' ? spec.completions : undefined;
  // Without completions (a work queue), the first success ends the Job once the rest stopped.
  const done =
    completions !== undefined
      ? i.succeeded >= completions
      : spec.completionMode !== 'Indexed' && i.succeeded > 0 && i.active === 0;
  if (done) {
    return {
      type: CONDITION_SUCCESS_CRITERIA_MET,
      reason: REASON_COMPLETIONS_REACHED,
      message: MESSAGE_COMPLETIONS_REACHED,
    };
  }
  return undefined;
}

/** A verdict recorded by an earlier sync stands. */
export function earlierVerdict(conditions: readonly Condition[]): Verdict | undefined {
  for (const type of [CONDITION_FAILURE_TARGET, CONDITION_SUCCESS_CRITERIA_MET]) {
    const c = conditions.find((x) => x.type === type && x.status === 'True');
    if (c) return { type, reason: c.reason ?? '', message: c.message ?? '' };
  }
  return undefined;
}
