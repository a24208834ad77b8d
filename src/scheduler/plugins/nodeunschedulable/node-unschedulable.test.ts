import { describe } from 'node:test';
import { runFixtureFile } from '../../testing/plugin-fixtures.ts';

describe('NodeUnschedulable + NodeName fixtures', () =>
  runFixtureFile(new URL('./fixtures/node-unschedulable.json', import.meta.url)));
