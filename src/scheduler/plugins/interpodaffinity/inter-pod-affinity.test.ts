import { describe } from 'node:test';
import { runFixtureFile } from '../../testing/plugin-fixtures.ts';

describe('InterPodAffinity fixtures', () =>
  runFixtureFile(new URL('./fixtures/inter-pod-affinity.json', import.meta.url)));
