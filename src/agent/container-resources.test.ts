import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerResources } from './container-resources.ts';

describe('containerResources', () => {
  it('converts cpu to millicores and memory to bytes, rounding up', () => {
    const r = containerResources(
      {
        name: 'a',
        resources: { requests: { cpu: '250m' }, limits: { cpu: '1500m', memory: '64Mi' } },
      },
      100,
    );
    assert.deepEqual(r, {
      cpuRequestMilli: 250,
      cpuLimitMilli: 1500,
      memoryLimitBytes: 64 * 1024 * 1024,
      pidsLimit: 100,
    });
    assert.equal(
      containerResources({ name: 'a', resources: { limits: { cpu: '0.0001' } } }).cpuLimitMilli,
      1,
    );
  });

  it('uses the cpu limit for shares when no request is set, and leaves unset values out', () => {
    assert.deepEqual(containerResources({ name: 'a', resources: { limits: { cpu: '2' } } }), {
      cpuRequestMilli: 2000,
      cpuLimitMilli: 2000,
    });
    assert.deepEqual(containerResources({ name: 'a' }, 0), {});
  });
});
