import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatLabelSelector, labelSelectorString, mapSelector, selectorMatches } from './label-selector.ts';

describe('selectorMatches', () => {
  const labels = { app: 'web', tier: 'front', canary: '' };
  const cases: [string, unknown, boolean][] = [
    ['absent selects nothing', undefined, false],
    ['null selects nothing', null, false],
    ['empty selects everything', {}, true],
    ['matchLabels hit', { matchLabels: { app: 'web' } }, true],
    ['matchLabels miss', { matchLabels: { app: 'db' } }, false],
    ['In hit', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    ['In on a missing key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    [
      'NotIn on a missing key',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      true,
    ],
    ['NotIn hit', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'canary', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, false],
    [
      'all requirements must hold',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] },
      false,
    ],
    [
      'an invalid operator selects nothing',
      { matchExpressions: [{ key: 'app', operator: 'Like', values: ['web'] }] },
      false,
    ],
    [
      'In without values is invalid',
      { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] },
      false,
    ],
  ];
  for (const [name, sel, want] of cases) test(name, () => assert.equal(selectorMatches(sel, labels), want));
});

describe('string forms', () => {
  test('sorted by key, values sorted, upstream operators', () => {
    const sel = {
      matchLabels: { tier: 'front', app: 'web' },
      matchExpressions: [
        { key: 'zone', operator: 'NotIn', values: ['b', 'a'] },
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'gpu', operator: 'Exists' },
      ],
    };
    assert.equal(
      labelSelectorString(sel),
      'app=web,env in (dev,prod),gpu,!legacy,tier=front,zone notin (a,b)',
    );
  });
  test('FormatLabelSelector: <none> for empty, <error> for invalid', () => {
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
    assert.equal(formatLabelSelector(mapSelector({ app: 'web' })), 'app=web');
  });
});
