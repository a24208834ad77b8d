import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { CONFIGMAPS } from '../../client/index.ts';
import { startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import { createNamespace } from '../namespace/test-context.ts';
import {
  DESCRIPTION_ANNOTATION,
  ROOT_CA_CONFIGMAP,
  ROOT_CA_DESCRIPTION,
  ROOT_CA_KEY,
  rootCaCertPublisherFactory,
} from './controller.ts';

const CA = '-----BEGIN CERTIFICATE-----\nskiff-test-ca\n-----END CERTIFICATE-----\n';

describe('root CA publisher', () => {
  let h: WorkloadHarness;
  before(async () => {
    h = await startWorkloadHarness([(ctx) => rootCaCertPublisherFactory({ ...ctx, rootCaPem: CA })]);
  });
  after(() => h.stop());

  const published = (ns: string, pred: (cm: KObject) => boolean = () => true) =>
    h.eventually(async () => {
      const cm = await h.client
        .resource(CONFIGMAPS, ns)
        .get(ROOT_CA_CONFIGMAP)
        .catch(() => undefined);
      return cm && pred(cm) ? cm : undefined;
    });

  it('publishes the CA with upstream description in existing and new namespaces', async () => {
    const cm = await published('default');
    assert.deepEqual(cm.data, { [ROOT_CA_KEY]: CA });
    assert.equal(cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION], ROOT_CA_DESCRIPTION);
    await createNamespace(h.client, 'skiff-rootca');
    const other = await published('skiff-rootca');
    assert.equal(other.data?.[ROOT_CA_KEY], CA);
  });

  it('recreates a deleted ConfigMap', async () => {
    const first = await published('default');
    await h.client.resource(CONFIGMAPS, 'default').delete(ROOT_CA_CONFIGMAP);
    const again = await published('default', (cm) => cm.metadata?.uid !== first.metadata?.uid);
    assert.equal(again.data?.[ROOT_CA_KEY], CA);
  });

  it('repairs changed data and a removed description', async () => {
    const cm = await published('default');
    const tampered = structuredClone(cm) as KObject;
    tampered.data = { [ROOT_CA_KEY]: 'not a CA', extra: 'x' };
    tampered.metadata!.annotations = {};
    await h.client.resource(CONFIGMAPS, 'default').update(tampered);
    const fixed = await published(
      'default',
      (c) => c.data?.[ROOT_CA_KEY] === CA && Boolean(c.metadata?.annotations?.[DESCRIPTION_ANNOTATION]),
    );
    assert.deepEqual(fixed.data, { [ROOT_CA_KEY]: CA });
  });
});
