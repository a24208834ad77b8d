import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runFixtureFile } from '../../testing/plugin-fixtures.ts';
import { normalizedImageName } from './image-locality.ts';

describe('ImageLocality fixtures', () =>
  runFixtureFile(new URL('./fixtures/image-locality.json', import.meta.url)));

test('image names: a port in the registry host is not a tag', () => {
  assert.equal(normalizedImageName('registry:5000/app'), 'registry:5000/app:latest');
  assert.equal(normalizedImageName('app:v1'), 'app:v1');
});
