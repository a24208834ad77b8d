import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { formatIndexes, parseIndexes, podIndex } from './indexes.ts';

describe('completion indexes', () => {
  it('formats runs as ranges and parses them back', () => {
    assert.equal(formatIndexes(new Set([7, 1, 3, 4, 5])), '1,3-5,7');
    assert.deepEqual([...parseIndexes('1,3-5,7', 10)].sort(), [1, 3, 4, 5, 7]);
    assert.deepEqual([...parseIndexes('1,3-5,7', 4)].sort(), [1, 3]);
    assert.equal(formatIndexes(new Set()), '');
  });

  it("reads a pod's index annotation", () => {
    const pod = (v?: string): KObject => ({
      metadata: { annotations: v === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': v } },
    });
    assert.equal(podIndex(pod('3')), 3);
    assert.equal(podIndex(pod('x')), undefined);
    assert.equal(podIndex(pod()), undefined);
  });
});
