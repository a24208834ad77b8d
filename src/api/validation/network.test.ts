import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isValidCIDR, isValidIP, validatePortNumOrName, validateProtocol } from './network.ts';

const show = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);

describe('addresses', () => {
  const ips: [string, boolean][] = [
    ['10.0.0.1', true],
    ['2001:db8::1', true],
    ['10.0.0.256', false],
    ['example.com', false],
    ['', false],
  ];
  for (const [ip, ok] of ips) test(`IP ${JSON.stringify(ip)}`, () => assert.equal(isValidIP(ip), ok));
  const cidrs: [string, boolean][] = [
    ['10.42.0.0/16', true],
    ['fd00::/64', true],
    ['10.42.0.0/33', false],
    ['10.42.0.0', false],
    ['10.42.0.0/x', false],
  ];
  for (const [c, ok] of cidrs) test(`CIDR ${JSON.stringify(c)}`, () => assert.equal(isValidCIDR(c), ok));
});

describe('ports', () => {
  test('numbers, numeric strings and names', () => {
    assert.deepEqual(validatePortNumOrName(8080, 'p'), []);
    assert.deepEqual(validatePortNumOrName('8080', 'p'), []);
    assert.deepEqual(validatePortNumOrName('http', 'p'), []);
    assert.deepEqual(show(validatePortNumOrName(0, 'p')), [
      'p: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]);
    assert.deepEqual(show(validatePortNumOrName('HTTP', 'p')), [
      'p: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'p: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ]);
  });
  test('protocols', () => {
    assert.deepEqual(show(validateProtocol(undefined, 'p')), ['p: Required value']);
    assert.deepEqual(show(validateProtocol('ICMP', 'p')), [
      'p: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    assert.deepEqual(validateProtocol('UDP', 'p'), []);
  });
});
