import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObj } from './api.ts';
import { toEditableYaml } from './object-yaml.ts';

const live: KObj = {
  spec: { replicas: 2 },
  metadata: { name: 'web', resourceVersion: '9', generation: 3, managedFields: [{}] },
  status: { readyReplicas: 2 },
};

test('bookkeeping is dropped, keys ordered, apiVersion/kind borrowed when missing', () => {
  const y = toEditableYaml(live, {
    typeOf: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } },
  });
  assert.equal(y, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n');
  assert.match(toEditableYaml(live, { keepStatus: true }), /readyReplicas: 2/);
  assert.equal(toEditableYaml(undefined), '');
  assert.equal(live.metadata.resourceVersion, '9', 'the input is not modified');
});

test('strings that YAML 1.1 would read as booleans stay quoted', () => {
  assert.match(toEditableYaml({ metadata: { name: 'x', labels: { enabled: 'yes' } } }), /enabled: "yes"/);
});
