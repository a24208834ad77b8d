import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { earlierVerdict, type JudgeInput, judgeJob } from './verdict.ts';

const input = (spec: KObject, o: Partial<JudgeInput> = {}): JudgeInput => ({
  spec: { template: { spec: { restartPolicy: 'Never' } }, ...spec },
  nowMs: 100_000,
  succeeded: 0,
  failed: 0,
  active: 1,
  restarts: 0,
  ...o,
});

describe('job verdicts', () => {
  it('fails past backoffLimit (failures, or restarts under OnFailure)', () => {
    assert.equal(judgeJob(input({ backoffLimit: 2 }, { failed: 2 })), undefined);
    assert.equal(judgeJob(input({ backoffLimit: 2 }, { failed: 3 }))?.reason, 'BackoffLimitExceeded');
    assert.equal(judgeJob(input({}, { failed: 7 }))?.reason, 'BackoffLimitExceeded', 'default limit 6');
    const onFailure = { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } };
    assert.equal(
      judgeJob(input(onFailure, { restarts: 2 }))?.message,
      'Job has reached the specified backoff limit',
    );
    assert.equal(judgeJob(input({ ...onFailure, backoffLimit: 0 }, { restarts: 1 }))?.type, 'FailureTarget');
    assert.equal(
      judgeJob(input({ backoffLimit: 2 }, { restarts: 5 })),
      undefined,
      'Never: restarts do not count',
    );
  });

  it('fails past activeDeadlineSeconds unless suspended', () => {
    const spec = { activeDeadlineSeconds: 10 };
    assert.equal(judgeJob(input(spec, { startedMs: 95_000 })), undefined);
    assert.equal(judgeJob(input(spec, { startedMs: 90_000 }))?.reason, 'DeadlineExceeded');
    assert.equal(judgeJob(input({ ...spec, suspend: true }, { startedMs: 0 })), undefined);
  });

  it('succeeds at completions, or for a work queue once one succeeded and none runs', () => {
    assert.equal(judgeJob(input({ completions: 3 }, { succeeded: 2 })), undefined);
    assert.deepEqual(judgeJob(input({ completions: 3 }, { succeeded: 3 })), {
      type: 'SuccessCriteriaMet',
      reason: 'CompletionsReached',
      message: 'Reached expected number of succeeded pods',
    });
    assert.equal(judgeJob(input({}, { succeeded: 1, active: 1 })), undefined);
    assert.equal(judgeJob(input({}, { succeeded: 1, active: 0 }))?.type, 'SuccessCriteriaMet');
  });

  it('puts a FailJob policy match first, and keeps an earlier verdict', () => {
    const v = judgeJob(input({ completions: 1 }, { succeeded: 1, policyFailure: 'boom' }));
    assert.deepEqual(v, { type: 'FailureTarget', reason: 'PodFailurePolicy', message: 'boom' });
    assert.deepEqual(earlierVerdict([{ type: 'FailureTarget', status: 'True', reason: 'R', message: 'M' }]), {
      type: 'FailureTarget',
      reason: 'R',
      message: 'M',
    });
    assert.equal(earlierVerdict([{ type: 'Suspended', status: 'True' }]), undefined);
  });
});
