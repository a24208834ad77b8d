import { describe } from 'node:test';
import { runFixtureFile } from '../../testing/plugin-fixtures.ts';

describe('TaintToleration fixtures', () =>
  runFixtureFile(new URL('./fixtures/taint-toleration.json', import.meta.url)));
