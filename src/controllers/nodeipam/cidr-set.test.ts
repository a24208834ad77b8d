import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CIDR_RANGE_FULL, CidrSet, parseIpv4Cidr } from './cidr-set.ts';

describe('CidrSet', () => {
  it('hands out /24s of a /16 in order and round-robin after a release', () => {
    const s = new CidrSet('10.42.0.0/16', 24);
    assert.equal(s.size, 256);
    assert.equal(s.allocateNext(), '10.42.0.0/24');
    assert.equal(s.allocateNext(), '10.42.1.0/24');
    s.release('10.42.0.0/24');
    assert.equal(s.allocateNext(), '10.42.2.0/24');
    assert.equal(s.allocated, 2);
  });

  it('skips occupied subnets, ignores foreign ones, and reports exhaustion', () => {
    const s = new CidrSet('10.42.0.0/30', 31);
    assert.equal(s.occupy('10.42.0.0/31'), true);
    assert.equal(s.occupy('10.99.0.0/31'), false);
    assert.equal(s.occupy('10.42.0.0/24'), false);
    assert.equal(s.allocateNext(), '10.42.0.2/31');
    assert.throws(() => s.allocateNext(), { message: CIDR_RANGE_FULL });
  });

  it('masks the cluster CIDR to its network and rejects bad input', () => {
    assert.deepEqual(parseIpv4Cidr('10.42.7.9/16'), { base: parseIpv4Cidr('10.42.0.0/16').base, prefix: 16 });
    assert.throws(() => parseIpv4Cidr('10.42.0.0'), RangeError);
    assert.throws(() => parseIpv4Cidr('300.1.1.1/8'), RangeError);
    assert.throws(() => new CidrSet('10.42.0.0/16', 8), RangeError);
  });
});
