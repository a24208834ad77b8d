import assert from 'node:assert/strict';
import { test } from 'node:test';
import { derivedPodCidr, IpPool } from './ip-pool.ts';

test('hands out host addresses lowest first, skips network and gateway, reuses released ones', () => {
  const pool = new IpPool('10.1.2.0/30');
  assert.equal(pool.allocate(), '10.1.2.2');
  assert.throws(() => pool.allocate(), /exhausted/);
  pool.release('10.1.2.2');
  assert.equal(pool.allocate(), '10.1.2.2');
  const big = new IpPool('10.9.0.77/16');
  assert.equal(big.allocate(), '10.9.0.2');
  assert.equal(big.allocate(), '10.9.0.3');
});

test('rejects malformed CIDRs; derived CIDRs are stable /24s in the cluster range', () => {
  assert.throws(() => new IpPool('10.1.2.0'), RangeError);
  assert.throws(() => new IpPool('10.1.2.300/24'), RangeError);
  assert.equal(derivedPodCidr('skiff-a'), derivedPodCidr('skiff-a'));
  assert.match(derivedPodCidr('skiff-a'), /^10\.42\.(1[2-9]\d|2[0-5]\d)\.0\/24$/);
});
