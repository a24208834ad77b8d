import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../errors.ts';
import {
  formatLabelSelector,
  isEverything,
  type LabelSelectorObject,
  labelSelectorFromObject,
  matchesLabels,
  parseLabelSelector,
} from './label-selector.ts';

/** Error text of upstream's IsValidLabelValue regex failure (its double spaces are upstream's). */
const BAD_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QUALIFIED =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

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

test('label selector: parse and canonical string form', () => {
  const cases: [input: string, canonical: string][] = [
    ['', ''],
    ['x=a', 'x=a'],
    ['y==b', 'y==b'],
    ['z!=c', 'z!=c'],
    ['x=a,y!=b', 'x=a,y!=b'],
    ['z=1,a=2', 'a=2,z=1'],
    ['x=,z= ', 'x=,z='],
    [' x = a , y in ( b ) ', 'x=a,y in (b)'],
    ['x', 'x'],
    ['!x', '!x'],
    ['x,y', 'x,y'],
    ['!x,y=z', '!x,y=z'],
    ['x>1', 'x>1'],
    ['x<3', 'x<3'],
    ['x in (a,b)', 'x in (a,b)'],
    ['x notin (b,a)', 'x notin (a,b)'],
    ['x in (b,a,b)', 'x in (a,b)'],
    ['x in ()', 'x in ()'],
    ['x in (,a)', 'x in (,a)'],
    ['x in (a,)', 'x in (,a)'],
    ['w in (a,,b)', 'w in (,a,b)'],
    ['a in(b)', 'a in (b)'],
    ['in=x', 'in=x'],
    ['notin notin (in)', 'notin notin (in)'],
    ['example.com/app=web', 'example.com/app=web'],
    ['x\t=\na', 'x=a'],
  ];
  for (const [input, canonical] of cases) {
    assert.equal(formatLabelSelector(parseLabelSelector(input)), canonical, input);
  }
});

test('label selector: syntax errors are 400 with upstream text', () => {
  const cases: [input: string, message: string][] = [
    [',', "found ',', expected: !, identifier, or 'end of string'"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['x,', "found '', expected: identifier after ','"],
    ['x=a,', "found '', expected: identifier after ','"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['x=a b', "found 'b', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['x y', "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    [
      'x>a',
      `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'x>99999999999999999999',
      `unable to parse requirement: values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    // Gt/Lt values are label values too, so a sign is rejected even though ParseInt accepts it.
    ['x<-3', `unable to parse requirement: values[0][x]: Invalid value: "-3": ${BAD_VALUE}`],
    ['x=a||y', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${BAD_VALUE}`],
    [
      'a/b/c=x',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${QUALIFIED} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    ['/a', `unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty`],
    ['-a', `unable to parse requirement: <nil>: Invalid value: "-a": name part ${QUALIFIED}`],
    [
      `${'k'.repeat(64)}=v`,
      `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`,
    ],
    [
      `k=${'v'.repeat(64)}`,
      `unable to parse requirement: values[0][k]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
    ],
  ];
  for (const [input, message] of cases) {
    assert.equal(
      badRequestMessage(() => parseLabelSelector(input)),
      message,
      input,
    );
  }
});

test('label selector: matching', () => {
  const cases: [selector: string, labels: Record<string, string>, want: boolean][] = [
    ['', {}, true],
    ['', { a: 'b' }, true],
    ['x=a', { x: 'a' }, true],
    ['x==a', { x: 'a', y: 'b' }, true],
    ['x=a', { x: 'b' }, false],
    ['x=a', {}, false],
    ['x!=a', {}, true],
    ['x!=a', { x: 'a' }, false],
    ['x!=a', { x: 'b' }, true],
    ['x in (a,b)', { x: 'b' }, true],
    ['x in (a,b)', { x: 'c' }, false],
    ['x in (a,b)', {}, false],
    ['x notin (a)', {}, true],
    ['x notin (a)', { x: 'a' }, false],
    ['x notin (a)', { x: 'b' }, true],
    ['x', { x: '' }, true],
    ['x', {}, false],
    ['!x', {}, true],
    ['!x', { x: '1' }, false],
    ['x>1', { x: '2' }, true],
    ['x>1', { x: '1' }, false],
    ['x>1', { x: 'a' }, false],
    ['x>1', {}, false],
    ['x<10', { x: '-5' }, true],
    ['x<10', { x: '+10' }, false],
    ['x in ()', { x: '' }, true],
    ['x=', { x: '' }, true],
    ['x=', {}, false],
    ['a=1,b=2', { a: '1', b: '2' }, true],
    ['a=1,b=2', { a: '1' }, false],
    ['toString', {}, false],
  ];
  for (const [sel, labels, want] of cases) {
    assert.equal(matchesLabels(parseLabelSelector(sel), labels), want, `${sel} vs ${JSON.stringify(labels)}`);
  }
});

test('label selector from metav1.LabelSelector (LabelSelectorAsSelector)', () => {
  const cases: [
    obj: LabelSelectorObject | null | undefined,
    canonical: string,
    matches: Record<string, string>[],
    rejects: Record<string, string>[],
  ][] = [
    [null, '', [], [{}, { app: 'web' }]],
    [undefined, '', [], [{}]],
    [{}, '', [{}, { app: 'web' }], []],
    [{ matchLabels: {}, matchExpressions: [] }, '', [{}], []],
    [{ matchLabels: { app: 'web' } }, 'app=web', [{ app: 'web', x: 'y' }], [{ app: 'db' }, {}]],
    [{ matchLabels: { b: '1', a: '2' } }, 'a=2,b=1', [{ a: '2', b: '1' }], [{ a: '2' }]],
    [
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] },
      'tier in (a,b)',
      [{ tier: 'a' }],
      [{ tier: 'c' }, {}],
    ],
    [
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] },
      'tier notin (a)',
      [{}, { tier: 'b' }],
      [{ tier: 'a' }],
    ],
    [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, 'gpu', [{ gpu: '' }], [{}]],
    [
      { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist', values: null }] },
      '!gpu',
      [{}],
      [{ gpu: 'x' }],
    ],
    [
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      'app=web,env in (prod)',
      [{ app: 'web', env: 'prod' }],
      [{ app: 'web' }],
    ],
  ];
  for (const [obj, canonical, matches, rejects] of cases) {
    const sel = labelSelectorFromObject(obj);
    assert.equal(formatLabelSelector(sel), canonical, JSON.stringify(obj));
    assert.equal(formatLabelSelector(obj), canonical, `object form ${JSON.stringify(obj)}`);
    for (const l of matches)
      assert.ok(matchesLabels(sel, l), `${JSON.stringify(obj)} should match ${JSON.stringify(l)}`);
    for (const l of rejects)
      assert.ok(!matchesLabels(sel, l), `${JSON.stringify(obj)} should reject ${JSON.stringify(l)}`);
  }
  assert.ok(isEverything(labelSelectorFromObject({})));
  assert.ok(!isEverything(labelSelectorFromObject(null)));
});

test('label selector from object: invalid requirements are 400 with upstream text', () => {
  const cases: [obj: LabelSelectorObject, message: string][] = [
    [{ matchExpressions: [{ key: 'a', operator: 'Foo' }] }, '"Foo" is not a valid label selector operator'],
    [
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    ],
    [{ matchLabels: { 'bad key': 'v' } }, `key: Invalid value: "bad key": name part ${QUALIFIED}`],
    [
      { matchExpressions: [{ key: '-k', operator: 'In', values: ['-v'] }] },
      `[key: Invalid value: "-k": name part ${QUALIFIED}, values[0][-k]: Invalid value: "-v": ${BAD_VALUE}]`,
    ],
  ];
  for (const [obj, message] of cases) {
    assert.equal(
      badRequestMessage(() => labelSelectorFromObject(obj)),
      message,
      JSON.stringify(obj),
    );
  }
});
