import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject } from '../api/object.ts';
import { fieldIndexFunc, Indexer, NAMESPACE_INDEX, objectKey, splitKey } from './indexer.ts';
import { Lister } from './lister.ts';

const pod = (ns: string, name: string, node?: string, labels: Record<string, string> = {}): KObject => ({
  metadata: { namespace: ns, name, labels },
  spec: node ? { nodeName: node } : {},
});

describe('keys', () => {
  test('namespace/name, or name for cluster-scoped objects, and back', () => {
    assert.equal(objectKey(pod('default', 'web')), 'default/web');
    assert.equal(objectKey({ metadata: { name: 'node-1' } }), 'node-1');
    assert.deepEqual(splitKey('default/web'), { namespace: 'default', name: 'web' });
    assert.deepEqual(splitKey('node-1'), { namespace: '', name: 'node-1' });
    assert.throws(() => objectKey({ metadata: {} }), /no metadata.name/);
  });
});

describe('Indexer', () => {
  test('indexes by namespace and by a custom field, and moves entries on update', () => {
    const idx = new Indexer({ byNode: fieldIndexFunc('spec.nodeName') });
    idx.set(pod('a', 'p1', 'n1'));
    idx.set(pod('a', 'p2', 'n2'));
    idx.set(pod('b', 'p3', 'n1'));
    idx.set(pod('b', 'p4'));
    assert.deepEqual(idx.indexKeys('byNode', 'n1').sort(), ['a/p1', 'b/p3']);
    assert.deepEqual(idx.indexKeys(NAMESPACE_INDEX, 'b').sort(), ['b/p3', 'b/p4']);
    assert.deepEqual(idx.indexValues('byNode').sort(), ['n1', 'n2'], 'unset fields are not indexed');

    const old = idx.set(pod('a', 'p1', 'n2'));
    assert.equal(old?.spec.nodeName, 'n1');
    assert.deepEqual(idx.indexKeys('byNode', 'n1'), ['b/p3']);
    assert.deepEqual(idx.indexKeys('byNode', 'n2').sort(), ['a/p1', 'a/p2']);

    idx.delete('b/p3');
    assert.deepEqual(idx.indexValues('byNode'), ['n2'], 'empty index values are dropped');
    assert.equal(idx.delete('b/p3'), undefined);
    assert.throws(() => idx.byIndex('nope', 'x'), /does not exist/);
  });

  test('indexers added later index the existing objects; names are unique', () => {
    const idx = new Indexer();
    idx.set(pod('a', 'p1', 'n1'));
    idx.addIndexers({ byNode: fieldIndexFunc('spec.nodeName') });
    assert.deepEqual(idx.indexKeys('byNode', 'n1'), ['a/p1']);
    assert.throws(() => idx.addIndexers({ byNode: fieldIndexFunc('spec.x') }), /already exists/);
    assert.equal(idx.hasIndex('byNode'), true);
  });

  test('an index function may file one object under several values', () => {
    const idx = new Indexer({
      byOwner: (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid),
    });
    idx.set({
      metadata: {
        namespace: 'a',
        name: 'p',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u1' },
          { apiVersion: 'v1', kind: 'Y', name: 'y', uid: 'u2' },
        ],
      },
    });
    assert.deepEqual(idx.indexKeys('byOwner', 'u1'), ['a/p']);
    assert.deepEqual(idx.indexKeys('byOwner', 'u2'), ['a/p']);
  });

  test('replace swaps the contents and rebuilds the indexes', () => {
    const idx = new Indexer();
    idx.set(pod('a', 'p1'));
    idx.replace([pod('b', 'p2')]);
    assert.deepEqual(idx.keys(), ['b/p2']);
    assert.deepEqual(idx.indexKeys(NAMESPACE_INDEX, 'a'), []);
  });
});

describe('Lister', () => {
  test('lists by label selector, per namespace, and gets by key or name', () => {
    const idx = new Indexer();
    idx.set(pod('a', 'web-1', undefined, { app: 'web', tier: 'front' }));
    idx.set(pod('a', 'db-1', undefined, { app: 'db' }));
    idx.set(pod('b', 'web-2', undefined, { app: 'web' }));
    const lister = new Lister(idx);
    const names = (objs: readonly KObject[]) => objs.map((o) => o.metadata?.name).sort();
    assert.deepEqual(names(lister.list()), ['db-1', 'web-1', 'web-2']);
    assert.deepEqual(names(lister.list('app=web')), ['web-1', 'web-2']);
    assert.deepEqual(names(lister.list('app in (web,db),tier!=front')), ['db-1', 'web-2']);
    assert.deepEqual(names(lister.namespace('a').list('app=web')), ['web-1']);
    assert.equal(lister.namespace('b').get('web-2')?.metadata?.name, 'web-2');
    assert.equal(lister.get('a/db-1')?.metadata?.name, 'db-1');
    assert.equal(lister.namespace('b').get('db-1'), undefined);
  });
});
