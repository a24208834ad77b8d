import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { PODS } from '../../client/index.ts';
import { SERVICES } from '../endpoints/controller.ts';
import { runningPod, setReady } from '../endpoints/test-pods.ts';
import { startHarness, type TestHarness } from '../namespace/test-context.ts';
import { ENDPOINTSLICES, endpointSliceControllerFactory } from './controller.ts';

describe('endpointslice controller', () => {
  let h: TestHarness;
  before(async () => {
    h = await startHarness(endpointSliceControllerFactory);
  });
  after(() => h.stop());

  it('keeps one slice per service in line with pod readiness, and removes it with the service', async () => {
    const pods = h.client.resource(PODS, 'default');
    const slices = h.client.resource(ENDPOINTSLICES, 'default');
    const ofWeb = async () =>
      (await slices.list({ labelSelector: 'kubernetes.io/service-name=web' })).items as KObject[];
    await h.client.resource(SERVICES, 'default').create({
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    // The placeholder first.
    const [placeholder] = await h.eventually(async () => {
      const s = await ofWeb();
      return s.length === 1 ? s : undefined;
    });
    assert.deepEqual(placeholder.endpoints ?? [], []);

    const a = await runningPod(pods, 'a', '10.42.0.5', true);
    await runningPod(pods, 'b', '10.42.0.6', false);
    const [slice] = await h.eventually(async () => {
      const s = await ofWeb();
      return s.length === 1 && s[0].endpoints?.length === 2 ? s : undefined;
    });
    assert.deepEqual(
      slice.endpoints.map((e: KObject) => [e.addresses[0], e.conditions.ready]),
      [
        ['10.42.0.5', true],
        ['10.42.0.6', false],
      ],
    );
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);

    await setReady(pods, a, '10.42.0.5', false);
    await h.eventually(async () => {
      const s = await ofWeb();
      return s.length === 1 && s[0].endpoints.every((e: KObject) => !e.conditions.ready);
    });

    await h.client.resource(SERVICES, 'default').delete('web');
    await h.eventually(async () => (await ofWeb()).length === 0);
  });
});
