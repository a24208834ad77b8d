import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { podRequests } from '../../cache/resources.ts';
import { makePod } from '../../testing/objects.ts';
import { runFixtureFile } from '../../testing/plugin-fixtures.ts';
import { balancedScore, brokenLinear, leastRequestedScore, mostRequestedScore } from './scorers.ts';

const fixture = (f: string) => new URL(`./fixtures/${f}`, import.meta.url);

describe('NodeResourcesFit LeastAllocated', () => runFixtureFile(fixture('fit-least-allocated.json')));
describe('NodeResourcesFit MostAllocated', () => runFixtureFile(fixture('fit-most-allocated.json')));
describe('NodeResourcesFit RequestedToCapacityRatio', () =>
  runFixtureFile(fixture('fit-requested-to-capacity-ratio.json')));
describe('NodeResourcesBalancedAllocation', () => runFixtureFile(fixture('balanced-allocation.json')));

describe('scorers', () => {
  test('least/most requested use integer arithmetic and cap at capacity', () => {
    assert.equal(leastRequestedScore(3000, 4000), 25);
    assert.equal(leastRequestedScore(5000, 4000), 0);
    assert.equal(mostRequestedScore(5000, 4000), 100);
    assert.equal(mostRequestedScore(1, 3), 33);
  });
  test('broken linear shape interpolates between points', () => {
    const f = brokenLinear([
      { utilization: 0, score: 10 },
      { utilization: 50, score: 0 },
      { utilization: 100, score: 10 },
    ]);
    assert.deepEqual([f(0), f(25), f(50), f(75), f(100)], [100, 50, 0, 50, 100]);
  });
  test('balanced score of three resources uses the standard deviation', () => {
    // fractions 0.2, 0.5, 0.8 → mean 0.5, std sqrt(0.06) ≈ 0.2449 → 75
    assert.equal(balancedScore([2, 5, 8], [10, 10, 10]), 75);
  });
  test('pod requests: missing requests get scoring defaults only in non-zero mode', () => {
    const pod = makePod({ name: 'p', cpu: '0' });
    assert.equal(podRequests(pod).milliCPU, 0);
    assert.equal(podRequests(pod, true).milliCPU, 0, 'an explicit 0 stays 0');
    assert.equal(podRequests(pod, true).memory, 200 * 1024 * 1024);
  });
});
