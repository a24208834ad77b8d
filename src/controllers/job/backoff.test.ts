import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextBackoffRecord, remainingBackoffMs } from './backoff.ts';

describe('job pod failure back-off', () => {
  it('waits 10 s after the first failure, doubling per further failure', () => {
    let rec = nextBackoffRecord(undefined, 0, 1, 1_000);
    assert.equal(remainingBackoffMs(rec, 1_000), 10_000);
    assert.equal(remainingBackoffMs(rec, 6_000), 5_000);
    assert.equal(remainingBackoffMs(rec, 11_000), 0);
    rec = nextBackoffRecord(rec, 0, 1, 20_000);
    assert.equal(remainingBackoffMs(rec, 20_000), 20_000);
    rec = nextBackoffRecord(rec, 0, 2, 50_000);
    assert.equal(rec.failuresAfterLastSuccess, 4);
    assert.equal(remainingBackoffMs(rec, 50_000), 80_000);
  });

  it('caps the delay at 10 minutes', () => {
    const rec = { failuresAfterLastSuccess: 20, lastFailureMs: 0 };
    assert.equal(remainingBackoffMs(rec, 0), 600_000);
  });

  it('a success resets the count', () => {
    const rec = nextBackoffRecord({ failuresAfterLastSuccess: 3, lastFailureMs: 5 }, 1, 0, 100);
    assert.equal(rec.failuresAfterLastSuccess, 0);
    assert.equal(remainingBackoffMs(rec, 100), 0);
  });
});
