import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuQuantity, memoryQuantity } from './metrics-api.ts';

test('quantities as metrics-server writes them', () => {
  assert.equal(cpuQuantity(1_234_567.4), '1234567n');
  assert.equal(memoryQuantity(4 * 1024 * 1024), '4096Ki');
  assert.equal(memoryQuantity(1536), '2Ki');
});
