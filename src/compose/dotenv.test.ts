// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose templates are the subject under test
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDotenv } from './dotenv.ts';
import { splitShellWords } from './shell-words.ts';

test('dotenv: quoting, comments, export, interpolation, bare keys', () => {
  const text = [
    '# comment',
    '',
    'A=1',
    'export B = two',
    "C='single $A # not a comment'",
    'D="double\\n$A \\"q\\" \\$A"',
    'E=unquoted # trailing comment',
    'F=${A}-${MISSING:-dflt}',
    'G="multi',
    'line"',
    'FROM_ENV',
    'NOT_IN_ENV',
    'H=',
    'I=a#b',
  ].join('\n');
  assert.deepEqual(
    parseDotenv(text, (n) => ({ FROM_ENV: 'env' })[n]),
    [
      ['A', '1'],
      ['B', 'two'],
      ['C', 'single $A # not a comment'],
      ['D', 'double\n1 "q" $A'],
      ['E', 'unquoted'],
      ['F', '1-dflt'],
      ['G', 'multi\nline'],
      ['FROM_ENV', 'env'],
      ['H', ''],
      ['I', 'a#b'],
    ],
  );
});

test('dotenv: an unterminated quote is an error', () => {
  assert.throws(() => parseDotenv('A="open'), /unterminated/);
});

test('shell words: quotes and escapes, no expansion', () => {
  assert.deepEqual(splitShellWords(`a "b c" 'd "e"' f\\ g "h\\"i" $X ''`), [
    'a',
    'b c',
    'd "e"',
    'f g',
    'h"i',
    '$X',
    '',
  ]);
  assert.deepEqual(splitShellWords('  '), []);
  assert.throws(() => splitShellWords('"open'), /unterminated/);
});
