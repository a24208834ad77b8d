import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KindDef } from '../kinds/types.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';

const show = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);
const kind = (over: Partial<KindDef>): KindDef => ({ namespaced: true, ...over }) as KindDef;

describe('validateObjectMeta by the kind’s name rule and scope', () => {
  test('DNS-1123 subdomain by default', () => {
    assert.deepEqual(validateObjectMeta({ metadata: { name: 'a.b-c', namespace: 'ns' } }, kind({})), []);
  });
  test('DNS label rule', () => {
    assert.deepEqual(
      show(validateObjectMeta({ metadata: { name: 'a.b' } }, kind({ namespaced: false, nameRule: 'label' }))),
      ['metadata.name: Invalid value: "a.b": must not contain dots'],
    );
  });
  test('path-segment rule', () => {
    assert.deepEqual(
      validateObjectMeta(
        { metadata: { name: 'system:Admin', namespace: 'ns' } },
        kind({ nameRule: 'path-segment' }),
      ),
      [],
    );
    assert.deepEqual(
      show(
        validateObjectMeta(
          { metadata: { name: 'a/b', namespace: 'ns' } },
          kind({ nameRule: 'path-segment' }),
        ),
      ),
      ['metadata.name: Invalid value: "a/b": may not contain \'/\''],
    );
  });
  test('namespace must be a DNS label', () => {
    assert.equal(validateObjectMeta({ metadata: { name: 'x', namespace: 'Bad' } }, kind({})).length, 1);
  });
  test('negative generation', () => {
    assert.deepEqual(
      show(validateObjectMeta({ metadata: { name: 'x', namespace: 'n', generation: -1 } }, kind({}))),
      ['metadata.generation: Invalid value: -1: must be greater than or equal to 0'],
    );
  });
  test('a second controller reference', () => {
    const refs = [
      { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
      { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true },
    ];
    const errs = show(
      validateObjectMeta({ metadata: { name: 'x', namespace: 'n', ownerReferences: refs } }, kind({})),
    );
    assert.equal(errs.length, 1);
    assert.match(
      errs[0],
      /Only one reference can have Controller set to true\. Found "true" in references for A\/a and B\/b$/,
    );
  });
  test('events may not own objects', () => {
    const refs = [{ apiVersion: 'events.k8s.io/v1', kind: 'Event', name: 'e', uid: '1' }];
    const errs = show(
      validateObjectMeta({ metadata: { name: 'x', namespace: 'n', ownerReferences: refs } }, kind({})),
    );
    assert.match(errs[0], /events\.k8s\.io\/v1\/Event is disallowed from being an owner$/);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old = {
    metadata: { name: 'x', namespace: 'n', uid: 'u', creationTimestamp: '2024-01-01T00:00:00Z' },
  };
  test('unchanged metadata passes; labels may change', () => {
    assert.deepEqual(
      validateObjectMetaUpdate({ metadata: { ...old.metadata, labels: { a: 'b' } } }, old),
      [],
    );
  });
  test('name, namespace and creation time are immutable', () => {
    const errs = show(
      validateObjectMetaUpdate(
        { metadata: { name: 'y', namespace: 'm', uid: 'u', creationTimestamp: '2025-01-01T00:00:00Z' } },
        old,
      ),
    );
    assert.deepEqual(errs, [
      'metadata.name: Invalid value: "y": field is immutable',
      'metadata.namespace: Invalid value: "m": field is immutable',
      'metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable',
    ]);
  });
  test('finalizers may be removed while deleting', () => {
    const deleting = {
      metadata: {
        ...old.metadata,
        deletionTimestamp: '2024-02-01T00:00:00Z',
        finalizers: ['a.io/x', 'b.io/y'],
      },
    };
    assert.deepEqual(
      validateObjectMetaUpdate({ metadata: { ...deleting.metadata, finalizers: ['b.io/y'] } }, deleting),
      [],
    );
  });
});
