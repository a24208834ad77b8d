import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goLabelSelector, goStringMap, goStringSlice, goValue } from './go-format.ts';

test('Go %#v forms of the values upstream messages show', () => {
  assert.equal(goStringMap({ b: '2', a: '1' }), 'map[string]string{"a":"1", "b":"2"}');
  assert.equal(goStringMap(undefined), 'map[string]string(nil)');
  assert.equal(goStringSlice(['x', 'y']), '[]string{"x", "y"}');
  assert.equal(goStringSlice(null), '[]string(nil)');
  assert.equal(
    goLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }),
    'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"a", Operator:"In", Values:[]string{"b"}}}}',
  );
  assert.equal(goValue('s'), '"s"');
  assert.equal(goValue(5), '5');
  assert.equal(goValue(null), 'null');
  assert.equal(goValue({ a: 1 }), '{"a":1}');
});
