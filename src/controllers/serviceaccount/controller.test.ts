import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findKind } from '../../api/kinds/index.ts';
import { refOf } from '../../client/index.ts';
import { createNamespace, startHarness, type TestHarness } from '../namespace/test-context.ts';
import { serviceAccountControllerFactory } from './controller.ts';

const SERVICEACCOUNTS = refOf(findKind('', 'serviceaccounts')!);

describe('service account controller', () => {
  let h: TestHarness;
  before(async () => {
    h = await startHarness(serviceAccountControllerFactory);
  });
  after(() => h.stop());

  it('creates the default ServiceAccount in existing and new namespaces, and recreates it', async () => {
    const inDefault = h.client.resource(SERVICEACCOUNTS, 'default');
    const first = await h.eventually(() => inDefault.get('default').catch(() => undefined));
    await createNamespace(h.client, 'skiff-sa');
    await h.eventually(() =>
      h.client
        .resource(SERVICEACCOUNTS, 'skiff-sa')
        .get('default')
        .catch(() => undefined),
    );
    await inDefault.delete('default');
    const again = await h.eventually(async () => {
      const sa = await inDefault.get('default').catch(() => undefined);
      return sa && sa.metadata?.uid !== first.metadata?.uid ? sa : undefined;
    });
    assert.equal(again.metadata?.name, 'default');
  });
});
