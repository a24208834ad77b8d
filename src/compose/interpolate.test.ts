// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose templates are the subject under test
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InterpolationError, interpolateString, interpolateTree } from './interpolate.ts';

const ENV: Record<string, string> = { SET: 'value', EMPTY: '', TAG: '1.25', NAME: 'TAG' };
const lookup = (n: string) => ENV[n];

describe('interpolation', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['$SET', 'value'],
    ['${SET}', 'value'],
    ['a${SET}b$SET.c', 'avalueb' + 'value.c'],
    ['${UNSET}', ''],
    ['${UNSET:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${EMPTY-dflt}', ''],
    ['${UNSET-dflt}', 'dflt'],
    ['${SET:-dflt}', 'value'],
    ['${UNSET:-${TAG}}', '1.25'],
    ['${UNSET:-${ALSO_UNSET:-deep}-x}', 'deep-x'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['$$SET', '$SET'],
    ['$${SET}', '${SET}'],
    ['cost: 5$', 'cost: 5$'],
    ['$1', '$1'],
    ['${SET:-a}}', 'value}'],
    ['${UNSET:-with space and :colon}', 'with space and :colon'],
  ];
  for (const [input, want] of cases) {
    test(`${input} → ${want}`, () => assert.equal(interpolateString(input, lookup), want));
  }

  test(':? fails on unset and empty with the message', () => {
    assert.throws(() => interpolateString('${UNSET:?please set it}', lookup), {
      name: 'InterpolationError',
      message: 'required variable UNSET is missing a value: please set it',
    });
    assert.throws(() => interpolateString('${EMPTY:?x}', lookup), InterpolationError);
    assert.equal(interpolateString('${SET:?x}', lookup), 'value');
  });

  test('? fails on unset only', () => {
    assert.throws(() => interpolateString('${UNSET?need}', lookup), /UNSET is missing a value: need/);
    assert.equal(interpolateString('${EMPTY?need}', lookup), '');
  });

  test('malformed templates fail', () => {
    assert.throws(() => interpolateString('${SET', lookup), /unclosed/);
    assert.throws(() => interpolateString('${1BAD}', lookup), /invalid variable name/);
    assert.throws(() => interpolateString('${SET!x}', lookup), /invalid variable name/);
  });

  test('unset variables are reported once each use', () => {
    const seen: string[] = [];
    interpolateString('${A}${B:-x}$C', lookup, { onUnset: (n) => seen.push(n) });
    assert.deepEqual(seen, ['A', 'C']);
  });

  test('trees: values interpolated, keys kept, non-strings untouched', () => {
    const out = interpolateTree({ '${SET}': ['${TAG}', 3, true, null, { k: '$SET' }] }, lookup);
    assert.deepEqual(out, { '${SET}': ['1.25', 3, true, null, { k: 'value' }] });
  });
});
