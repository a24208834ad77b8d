import { describe } from 'node:test';
import { runFixtureFile } from '../../testing/plugin-fixtures.ts';

describe('NodePorts fixtures', () => runFixtureFile(new URL('./fixtures/node-ports.json', import.meta.url)));
