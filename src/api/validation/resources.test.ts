import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateContainerResources, validateResourceList } from './resources.ts';

const show = (errs: { field: string; detail: string }[]) => errs.map((e) => `${e.field}: ${e.detail}`);

describe('container resources', () => {
  const cases: [string, unknown, string[]][] = [
    [
      'requests within limits',
      { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '64Mi' } },
      [],
    ],
    [
      'requests above limits',
      { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } },
      ['r.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi'],
    ],
    [
      'negative',
      { limits: { cpu: '-1' } },
      ['r.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0'],
    ],
    [
      'not a container resource',
      { limits: { pods: '1' } },
      ['r.limits[pods]: Invalid value: "pods": must be a standard resource for containers'],
    ],
    [
      'unknown name',
      { requests: { gpu: '1' } },
      ['r.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified'],
    ],
    [
      'extended resources: whole, limited, and equal',
      {
        requests: { 'example.com/gpu': '1.5', 'example.com/fpga': '1' },
        limits: { 'example.com/fpga': '2' },
      },
      [
        'r.requests[example.com/gpu]: Invalid value: 1500m: must be an integer',
        'r.limits: Required value: Limit must be set for non overcommitable resources',
        'r.requests: Invalid value: "1": must be equal to example.com/fpga limit of 2',
      ],
    ],
    [
      'huge pages are not overcommitted',
      { requests: { 'hugepages-2Mi': '2Mi' }, limits: { 'hugepages-2Mi': '4Mi' } },
      ['r.requests: Invalid value: "2Mi": must be equal to hugepages-2Mi limit of 4Mi'],
    ],
  ];
  for (const [name, res, want] of cases)
    test(name, () => assert.deepEqual(show(validateContainerResources(res, 'r')), want));
});

describe('resource lists', () => {
  test('quota names and values', () => {
    assert.deepEqual(
      validateResourceList({ pods: '10', 'requests.cpu': '2', 'count/deployments.apps': '5' }, 'hard'),
      [],
    );
    assert.deepEqual(show(validateResourceList({ 'limits.cpu': 'x' }, 'hard')), [
      'hard[limits.cpu]: Invalid value: "x": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
    ]);
  });
});
