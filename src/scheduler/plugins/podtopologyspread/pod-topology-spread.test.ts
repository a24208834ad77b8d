import { describe } from 'node:test';
import { runFixtureFile } from '../../testing/plugin-fixtures.ts';

describe('PodTopologySpread fixtures', () =>
  runFixtureFile(new URL('./fixtures/pod-topology-spread.json', import.meta.url)));
