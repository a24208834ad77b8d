import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../errors.ts';
import {
  escapeFieldValue,
  formatFieldSelector,
  matchesFields,
  parseFieldSelector,
  requiresExactMatch,
  validateFieldSelector,
} from './field-selector.ts';

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    return err.message;
  }
  assert.fail('expected a BadRequest');
}

test('field selector: parse into sorted requirements', () => {
  const cases: [input: string, requirements: [string, '=' | '!=', string][]][] = [
    ['', []],
    [',,', []],
    ['a=b', [['a', '=', 'b']]],
    ['a==b', [['a', '=', 'b']]],
    ['a!=b', [['a', '!=', 'b']]],
    ['a=', [['a', '=', '']]],
    [
      'status.phase!=Failed,spec.nodeName=n1',
      [
        ['spec.nodeName', '=', 'n1'],
        ['status.phase', '!=', 'Failed'],
      ],
    ],
    ['x=a\\,b', [['x', '=', 'a,b']]],
    ['x=a\\=b', [['x', '=', 'a=b']]],
    ['x=a\\\\b', [['x', '=', 'a\\b']]],
    [
      'x=a\\,b,y=c',
      [
        ['x', '=', 'a,b'],
        ['y', '=', 'c'],
      ],
    ],
  ];
  for (const [input, want] of cases) {
    const got = parseFieldSelector(input).requirements.map((r) => [r.field, r.operator, r.value]);
    assert.deepEqual(got, want, input);
  }
});

test('field selector: syntax errors are 400 with upstream text', () => {
  const cases: [input: string, message: string][] = [
    ['abc', "invalid selector: 'abc'; can't understand 'abc'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['x=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
    ['x=a\\', 'invalid field selector: invalid escape sequence: \\'],
    // Go prints the offending rune with %v: its code point.
    ['metadata.name=foo==bar', 'invalid field selector: unescaped character in value: 61'],
    ['x!==a', 'invalid field selector: unescaped character in value: 61'],
  ];
  for (const [input, message] of cases) {
    assert.equal(
      badRequestMessage(() => parseFieldSelector(input)),
      message,
      input,
    );
  }
});

test('field selector: matching with a getter', () => {
  const fields: Record<string, string> = { 'spec.nodeName': 'n1', 'status.phase': 'Running' };
  const get = (k: string): string | undefined => fields[k];
  const cases: [selector: string, want: boolean][] = [
    ['', true],
    ['spec.nodeName=n1', true],
    ['spec.nodeName==n1', true],
    ['spec.nodeName=n2', false],
    ['spec.nodeName!=n2', true],
    ['spec.nodeName!=n1', false],
    ['status.phase!=Failed,spec.nodeName=n1', true],
    ['status.phase=Failed,spec.nodeName=n1', false],
    ['spec.unknown=', true],
    ['spec.unknown=x', false],
  ];
  for (const [sel, want] of cases) assert.equal(matchesFields(parseFieldSelector(sel), get), want, sel);
});

test('field selector: unsupported fields are rejected in sorted order', () => {
  const allowed = new Set(['metadata.name', 'metadata.namespace', 'spec.nodeName']);
  const cases: [selector: string, message: string | undefined][] = [
    ['metadata.name=a', undefined],
    ['spec.nodeName=n1,metadata.namespace!=kube-system', undefined],
    ['spec.foo=x', 'field label not supported: spec.foo'],
    ['metadata.name=a,spec.foo=1,alpha=2', 'field label not supported: alpha'],
  ];
  for (const [sel, message] of cases) {
    const parsed = parseFieldSelector(sel);
    if (message === undefined) validateFieldSelector(parsed, allowed);
    else
      assert.equal(
        badRequestMessage(() => validateFieldSelector(parsed, allowed)),
        message,
        sel,
      );
  }
});

test('field selector: exact-match lookup, escaping and canonical form', () => {
  const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
  assert.equal(requiresExactMatch(sel, 'spec.nodeName'), 'n1');
  assert.equal(requiresExactMatch(sel, 'status.phase'), undefined);
  assert.equal(requiresExactMatch(sel, 'metadata.name'), undefined);
  const cases: [raw: string, escaped: string][] = [
    ['plain', 'plain'],
    ['a,b', 'a\\,b'],
    ['a=b', 'a\\=b'],
    ['a\\b', 'a\\\\b'],
  ];
  for (const [raw, escaped] of cases) {
    assert.equal(escapeFieldValue(raw), escaped);
    const round = parseFieldSelector(`f=${escaped}`);
    assert.equal(round.requirements[0].value, raw);
    assert.equal(formatFieldSelector(round), `f=${escaped}`);
  }
  assert.equal(formatFieldSelector(sel), 'spec.nodeName=n1,status.phase!=Failed');
});
