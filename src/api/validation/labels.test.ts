import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateAnnotations, validateLabelSelector, validateLabels } from './labels.ts';

const show = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);

describe('validateLabelSelector', () => {
  const cases: [string, unknown, string[]][] = [
    ['absent', undefined, []],
    ['empty', {}, []],
    [
      'valid',
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a'] },
          { key: 'x', operator: 'Exists' },
        ],
      },
      [],
    ],
    [
      'In needs values',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [] }] },
      [
        "sel.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      ],
    ],
    [
      'Exists takes none',
      { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist', values: ['a'] }] },
      [
        "sel.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      ],
    ],
    [
      'unknown operator',
      { matchExpressions: [{ key: 'tier', operator: 'Like' }] },
      ['sel.matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator'],
    ],
    [
      'bad value',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['ok', 'not ok'] }] },
      [
        "sel.matchExpressions[0].values[1]: Invalid value: \"not ok\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    ],
    [
      'bad key in matchLabels',
      { matchLabels: { '/x': 'y' } },
      ['sel.matchLabels: Invalid value: "/x": prefix part must be non-empty'],
    ],
  ];
  for (const [name, sel, want] of cases)
    test(name, () => assert.deepEqual(show(validateLabelSelector(sel, 'sel')), want));
});

describe('labels and annotations', () => {
  test('valid labels pass, non-string values are checked as strings', () => {
    assert.deepEqual(validateLabels({ 'app.kubernetes.io/name': 'web', empty: '' }, 'l'), []);
  });
  test('annotation keys are case-insensitive qualified names', () => {
    assert.deepEqual(validateAnnotations({ 'Example.com/Owner': 'Team A!' }, 'a'), []);
    assert.equal(validateAnnotations({ 'a b': 'x' }, 'a').length, 1);
  });
  test('the annotation budget counts keys and values in bytes', () => {
    assert.deepEqual(validateAnnotations({ k: 'x'.repeat(256 * 1024 - 1) }, 'a'), []);
    assert.deepEqual(show(validateAnnotations({ k: 'é'.repeat(128 * 1024) }, 'a')), [
      'a: Too long: may not be more than 262144 bytes',
    ]);
  });
});
