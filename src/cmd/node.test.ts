import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRuntimeScope } from '../../test/support/runtime-leaks.ts';
import { scopedHostNames } from './node.ts';

describe('scopedHostNames', () => {
  it('keeps skiff defaults without a tag', () => {
    assert.deepEqual(scopedHostNames(undefined), {});
    assert.deepEqual(scopedHostNames(''), {});
  });

  it('names every host object as the test leak checker expects', () => {
    const s = newRuntimeScope();
    assert.deepEqual(scopedHostNames(s.tag), {
      runDir: s.runDir,
      cgroupRoot: s.cgroupRoot,
      networkName: s.network,
      bridge: s.bridge,
      sandboxIdPrefix: s.idPrefix,
    });
  });
});
