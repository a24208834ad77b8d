import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { matchPodFailurePolicy } from './failure-policy.ts';

const failed = (codes: Record<string, number>, conditions: KObject[] = []): KObject => ({
  metadata: { namespace: 'ns', name: 'p' },
  status: {
    phase: 'Failed',
    conditions,
    containerStatuses: Object.entries(codes).map(([name, exitCode]) => ({
      name,
      state: { terminated: { exitCode } },
    })),
  },
});

const policy = {
  rules: [
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1] } },
  ],
};

describe('pod failure policy', () => {
  it('fails the job on a listed exit code of the named container', () => {
    assert.deepEqual(matchPodFailurePolicy(policy, failed({ side: 0, main: 42 })), {
      action: 'FailJob',
      message: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 0',
    });
    // Another container with 42 does not match the named-container rule; NotIn [1] counts it.
    assert.equal(matchPodFailurePolicy(policy, failed({ side: 42 }))?.action, 'Count');
  });

  it('ignores disruptions by condition, and leaves unmatched failures to count', () => {
    const m = matchPodFailurePolicy(
      policy,
      failed({ main: 1 }, [{ type: 'DisruptionTarget', status: 'True' }]),
    );
    assert.equal(m?.action, 'Ignore');
    assert.equal(m?.message, 'Pod ns/p has condition DisruptionTarget matching Ignore rule at index 1');
    assert.equal(matchPodFailurePolicy(policy, failed({ main: 1 })), undefined);
    assert.equal(matchPodFailurePolicy(undefined, failed({ main: 42 })), undefined);
    // Exit code 0 never matches, even NotIn.
    assert.equal(matchPodFailurePolicy(policy, failed({ main: 0 })), undefined);
  });
});
