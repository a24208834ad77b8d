import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isNotFound, PODS } from '../../client/index.ts';
import { startHarness, type TestHarness } from '../namespace/test-context.ts';
import { ENDPOINTS, endpointsControllerFactory, SERVICES } from './controller.ts';
import { runningPod, setReady } from './test-pods.ts';

describe('endpoints controller', () => {
  let h: TestHarness;
  before(async () => {
    h = await startHarness(endpointsControllerFactory);
  });
  after(() => h.stop());

  it('follows pod readiness and goes away with the service', async () => {
    const pods = h.client.resource(PODS, 'default');
    const eps = h.client.resource(ENDPOINTS, 'default');
    await h.client.resource(SERVICES, 'default').create({
      metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const a = await runningPod(pods, 'a', '10.42.0.5', true);
    await runningPod(pods, 'b', '10.42.0.6', false);
    const ep = await h.eventually(async () => {
      const e = await eps.get('web').catch(() => undefined);
      return e?.subsets?.[0]?.notReadyAddresses?.length === 1 && e.subsets[0].addresses?.length === 1
        ? e
        : undefined;
    });
    assert.equal(ep.subsets[0].addresses[0].ip, '10.42.0.5');
    assert.deepEqual(ep.subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(ep.metadata?.labels, { tier: 'front' });

    await setReady(pods, a, '10.42.0.5', false);
    await h.eventually(async () => {
      const e = await eps.get('web');
      return e.subsets?.[0]?.addresses === undefined && e.subsets?.[0]?.notReadyAddresses?.length === 2;
    });

    await h.client.resource(SERVICES, 'default').delete('web');
    await h.eventually(() => eps.get('web').then(() => false, isNotFound));
  });
});
