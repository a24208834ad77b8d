import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasChanges, lineDiff, withContext } from './line-diff.ts';

const render = (before: string, after: string) =>
  lineDiff(before, after)
    .map((l) => `${l.op}${l.text}`)
    .join('\n');

test('line diff: cases', () => {
  const cases: [string, string, string][] = [
    ['', 'a\nb\n', '+a\n+b'],
    ['a\nb\n', '', '-a\n-b'],
    ['a\nb\nc\n', 'a\nb\nc\n', ' a\n b\n c'],
    ['a\nb\nc\n', 'a\nB\nc\n', ' a\n-b\n+B\n c'],
    ['replicas: 2\nimage: v1\n', 'replicas: 3\nimage: v1\n', '-replicas: 2\n+replicas: 3\n image: v1'],
    ['a\nc\n', 'a\nb\nc\n', ' a\n+b\n c'],
  ];
  for (const [a, b, want] of cases)
    assert.equal(render(a, b), want, `${JSON.stringify(a)} → ${JSON.stringify(b)}`);
});

test('hasChanges is false only for identical input', () => {
  assert.equal(hasChanges(lineDiff('x\ny\n', 'x\ny\n')), false);
  assert.equal(hasChanges(lineDiff('x\n', 'y\n')), true);
});

test('huge inputs degrade to remove-all/add-all instead of an O(n·m) table', () => {
  const big = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n');
  const d = lineDiff(big, `${big}\nextra`);
  assert.equal(d.filter((l) => l.op === '-').length, 3000);
  assert.equal(d.filter((l) => l.op === '+').length, 3001);
});

test('withContext folds unchanged runs away from the changes', () => {
  const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
  const after = before.replace('l10', 'L10');
  const folded = withContext(lineDiff(before, after), 2).map((l) =>
    l.op === '…' ? `…${l.count}` : `${l.op}${l.text}`,
  );
  assert.deepEqual(folded, ['…8', ' l8', ' l9', '-l10', '+L10', ' l11', ' l12', '…7']);
  // A new object is all additions: nothing to fold.
  assert.equal(withContext(lineDiff('', 'a\nb\n')).length, 2);
});
