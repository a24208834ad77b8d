import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldSet } from './field-set.ts';
import { fieldPE, keyPE, parsePE, pathString, serializePE, valuePE } from './path-element.ts';

const f = fieldPE;

test('FieldsV1 round trip keeps members, children and the "." marker', () => {
  const v1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:containers': {
        'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} },
      },
      'f:replicas': {},
    },
  };
  const set = FieldSet.fromFieldsV1(v1);
  assert.ok(set.has([f('metadata'), f('labels')]));
  assert.ok(set.has([f('metadata'), f('labels'), f('app')]));
  assert.ok(!set.has([f('metadata')]), 'a parent with children is not itself a member');
  assert.ok(set.has([f('spec'), f('containers'), keyPE([['name', 'web']]), f('image')]));
  assert.deepStrictEqual(set.toFieldsV1(), v1);
  assert.equal(JSON.stringify(set.toFieldsV1()), JSON.stringify(v1), 'key order is upstream order');
});

test('elements sort field < key < value < index, and "." comes first', () => {
  const set = FieldSet.fromPaths([
    [{ t: 'i', index: 2 }],
    [valuePE('b')],
    [valuePE(1)],
    [keyPE([['name', 'x']]), f('a')],
    [keyPE([['name', 'x']])],
    [f('z')],
  ]);
  assert.deepStrictEqual(Object.keys(set.toFieldsV1()), ['f:z', 'k:{"name":"x"}', 'v:1', 'v:"b"', 'i:2']);
  assert.deepStrictEqual(Object.keys(set.toFieldsV1()['k:{"name":"x"}']), ['.', 'f:a']);
});

test('set algebra is path-exact', () => {
  const a = FieldSet.fromPaths([[f('a')], [f('a'), f('b')], [f('c')]]);
  const b = FieldSet.fromPaths([[f('a')]]);
  const diff = a.difference(b);
  assert.ok(!diff.has([f('a')]));
  assert.ok(diff.has([f('a'), f('b')]), 'removing .a keeps .a.b');
  assert.ok(a.union(FieldSet.fromPaths([[f('d')]])).has([f('d')]));
  assert.deepStrictEqual(
    a
      .intersection(FieldSet.fromPaths([[f('a'), f('b')], [f('x')]]))
      .paths()
      .map(pathString),
    ['.a.b'],
  );
  assert.ok(a.difference(a).isEmpty());
  assert.ok(a.equals(FieldSet.fromFieldsV1(a.toFieldsV1())));
});

test('path elements serialize like upstream, with sorted keys and Go escaping', () => {
  const k = keyPE([
    ['protocol', 'TCP'],
    ['containerPort', 80],
  ]);
  assert.equal(serializePE(k), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(pathString([f('spec'), f('ports'), k]), '.spec.ports[containerPort=80,protocol="TCP"]');
  assert.equal(serializePE(valuePE('a<b')), 'v:"a\\u003cb"');
  assert.equal(pathString([f('metadata'), f('finalizers'), valuePE('x')]), '.metadata.finalizers[="x"]');
  for (const s of ['f:name', 'k:{"a":1,"b":"c"}', 'v:true', 'i:3']) assert.equal(serializePE(parsePE(s)), s);
  assert.throws(() => parsePE('x:1'));
  assert.throws(() => parsePE('nocolon'));
  assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 'not an object' }));
});
