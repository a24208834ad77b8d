import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { Indexer, Lister } from '../../client/index.ts';
import { CONTROLLER_UID_INDEX, controllerUidIndexFunc, ownedOrOrphans } from './controller-ref.ts';

const pod = (name: string, namespace: string, owner?: string): KObject => ({
  metadata: {
    name,
    namespace,
    uid: `uid-${name}`,
    ...(owner
      ? {
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true },
          ],
        }
      : {}),
  },
});

test("an owner's candidates are its own objects and its namespace's orphans, nothing else", () => {
  const indexer = new Indexer({ [CONTROLLER_UID_INDEX]: controllerUidIndexFunc });
  for (const p of [
    pod('a1', 'ns', 'rs-a'),
    pod('a2', 'ns', 'rs-a'),
    pod('b1', 'ns', 'rs-b'),
    pod('orphan', 'ns'),
    pod('elsewhere', 'other'),
  ])
    indexer.set(p);
  const lister = new Lister(indexer);
  const names = (owner: KObject) =>
    ownedOrOrphans(lister, owner)
      .map((p) => p.metadata?.name)
      .sort();
  assert.deepEqual(names({ metadata: { name: 'rs-a', namespace: 'ns', uid: 'rs-a' } }), [
    'a1',
    'a2',
    'orphan',
  ]);
  assert.deepEqual(names({ metadata: { name: 'rs-c', namespace: 'other', uid: 'rs-c' } }), ['elsewhere']);
  // Adoption moves an orphan under its new owner's uid.
  indexer.set(pod('orphan', 'ns', 'rs-b'));
  assert.deepEqual(names({ metadata: { name: 'rs-b', namespace: 'ns', uid: 'rs-b' } }), ['b1', 'orphan']);
  assert.deepEqual(names({ metadata: { name: 'rs-a', namespace: 'ns', uid: 'rs-a' } }), ['a1', 'a2']);
});
