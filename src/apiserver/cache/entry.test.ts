import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeStored } from './entry.ts';

const KEY = '/registry/core/pods/ns/p';
const value = (phase: string) =>
  JSON.stringify({ metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase } });

test('a decoded version shares unchanged parts with the one it replaces and keeps its own rv', () => {
  const v1 = decodeStored(KEY, value('Pending'), 5);
  const v2 = decodeStored(KEY, value('Running'), 6, { prev: v1 });
  assert.equal(v2.obj.spec, v1.obj.spec);
  assert.notEqual(v2.obj.status, v1.obj.status);
  assert.equal(v1.obj.metadata?.resourceVersion, '5');
  assert.equal(v2.obj.metadata?.resourceVersion, '6');
  assert.equal(JSON.parse(v2.json).status.phase, 'Running');
  assert.equal(JSON.parse(v1.json).status.phase, 'Pending');
});

test('a superseded entry still serializes correctly but no longer caches its JSON', () => {
  const e = decodeStored(KEY, value('Pending'), 5);
  const first = e.json;
  assert.equal(e.json, first, 'a current entry serves its cached string');
  e.superseded();
  const again = e.json;
  assert.equal(again, first);
  // A fresh string each time: nothing is retained for a version only history replays send.
  assert.equal(JSON.parse(e.json).metadata.resourceVersion, '5');
});
