import { describe } from 'node:test';
import { runFixtureFile } from '../../testing/plugin-fixtures.ts';

describe('NodeAffinity fixtures', () =>
  runFixtureFile(new URL('./fixtures/node-affinity.json', import.meta.url)));
