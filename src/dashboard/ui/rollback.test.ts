import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObj } from './api.ts';
import {
  POD_TEMPLATE_HASH,
  REVISION_ANNOTATION,
  RollbackError,
  rollbackPatch,
  rolloutHistory,
} from './rollback.ts';

const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'web', ...(hash ? { [POD_TEMPLATE_HASH]: hash } : {}) } },
  spec: { containers: [{ name: 'web', image }] },
});

const deployment: KObj = {
  metadata: {
    name: 'web',
    uid: 'd-uid',
    annotations: { [REVISION_ANNOTATION]: '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  spec: { template: template('web:2') },
};

const rs = (
  name: string,
  revision: string,
  image: string,
  owner = 'd-uid',
  extra: Record<string, string> = {},
): KObj => ({
  metadata: {
    name,
    annotations: { [REVISION_ANNOTATION]: revision, ...extra },
    ownerReferences: [{ kind: 'Deployment', name: 'web', uid: owner, controller: true }],
  },
  spec: { template: template(image, `h${revision}`) },
  status: { replicas: 0 },
});

const replicaSets = [
  rs('web-1', '1', 'web:1', 'd-uid', {
    'kubernetes.io/change-cause': 'first',
    'deployment.kubernetes.io/desired-replicas': '2',
  }),
  rs('web-2', '2', 'web:2'),
  rs('other', '5', 'other:1', 'someone-else'),
];

test('history lists only this Deployment’s ReplicaSets, newest first', () => {
  const h = rolloutHistory(deployment, replicaSets);
  assert.deepEqual(
    h.map((r) => [r.revision, r.images, r.changeCause]),
    [
      [2, ['web:2'], undefined],
      [1, ['web:1'], 'first'],
    ],
  );
});

test('rollback replaces the template without pod-template-hash, and the annotations as kubectl does', () => {
  const patch = rollbackPatch(deployment, rolloutHistory(deployment, replicaSets), 1) as {
    op: string;
    path: string;
    value: Record<string, unknown>;
  }[];
  assert.equal(patch[0].path, '/spec/template');
  assert.deepEqual(patch[0].value, template('web:1'));
  assert.equal(patch[1].path, '/metadata/annotations');
  // The Deployment keeps its own revision and last-applied; the RS's change-cause comes along;
  // the RS's bookkeeping annotations (desired-replicas) do not.
  assert.deepEqual(patch[1].value, {
    [REVISION_ANNOTATION]: '2',
    'kubectl.kubernetes.io/last-applied-configuration': '{}',
    'kubernetes.io/change-cause': 'first',
  });
  // The ReplicaSet in the list was not modified.
  assert.equal(replicaSets[0].spec.template.metadata.labels[POD_TEMPLATE_HASH], 'h1');
});

test('rolling back to the current template is skipped; unknown revisions and paused Deployments fail', () => {
  const h = rolloutHistory(deployment, replicaSets);
  assert.equal(rollbackPatch(deployment, h, 2), undefined);
  assert.throws(() => rollbackPatch(deployment, h, 7), RollbackError);
  assert.throws(
    () => rollbackPatch({ ...deployment, spec: { ...deployment.spec, paused: true } }, h, 1),
    /paused/,
  );
});
