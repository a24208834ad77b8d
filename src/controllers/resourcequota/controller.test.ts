import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONFIGMAPS, PODS } from '../../client/index.ts';
import { startHarness, type TestHarness } from '../namespace/test-context.ts';
import { RESOURCEQUOTAS, resourceQuotaControllerFactory } from './controller.ts';

describe('resource quota controller', () => {
  let h: TestHarness;
  before(async () => {
    h = await startHarness(resourceQuotaControllerFactory);
  });
  after(() => h.stop());

  it('computes status.hard and status.used from the namespace and follows changes', async () => {
    const pods = h.client.resource(PODS, 'default');
    const container = (cpu: string, mem: string) => ({
      name: 'c',
      image: 'busybox',
      resources: { requests: { cpu, memory: mem }, limits: { cpu, memory: mem } },
    });
    await pods.create({ metadata: { name: 'a' }, spec: { containers: [container('250m', '64Mi')] } });
    await pods.create({
      metadata: { name: 'b' },
      spec: {
        containers: [container('500m', '64Mi')],
        initContainers: [{ ...container('1', '32Mi'), name: 'init' }],
      },
    });
    const done = await pods.create({
      metadata: { name: 'done' },
      spec: { containers: [container('4', '1Gi')] },
    });
    await pods.updateStatus({ ...done, status: { phase: 'Succeeded' } });
    await h.client.resource(CONFIGMAPS, 'default').create({ metadata: { name: 'cm' } });
    const quotas = h.client.resource(RESOURCEQUOTAS, 'default');
    const hard = {
      pods: '10',
      'requests.cpu': '4',
      'limits.memory': '1Gi',
      'count/configmaps': '5',
      'count/deployments.apps': '3',
    };
    await quotas.create({ metadata: { name: 'q' }, spec: { hard } });
    const st = await h.eventually(async () => {
      const q = await quotas.get('q');
      return q.status?.used?.['requests.cpu'] === '1250m' ? q.status : undefined;
    });
    assert.deepEqual(st.hard, hard);
    assert.deepEqual(st.used, {
      pods: '2',
      'requests.cpu': '1250m',
      'limits.memory': '128Mi',
      'count/configmaps': '1',
      'count/deployments.apps': '0',
    });
    await pods.delete('a');
    await h.eventually(async () => (await quotas.get('q')).status?.used?.pods === '1');
  });
});
