// Loading: default files and their override, anchors and merge keys, `.env`, extends across
// files, merge rules (ports/volumes by key, command replaced, maps merged, !reset/!override),
// profiles and the project name.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadProject } from './load.ts';
import type { ComposeProject, ComposeService } from './types.ts';

const DIR = join(import.meta.dirname, 'fixtures/project');
const load = (opts: Parameters<typeof loadProject>[0] = {}): ComposeProject =>
  loadProject({ cwd: DIR, env: {}, ...opts });
const svc = (p: ComposeProject, name: string): ComposeService => {
  const s = p.services.find((x) => x.name === name);
  assert.ok(s, `service ${name}`);
  return s;
};

describe('loadProject', () => {
  test('compose.yaml + compose.override.yaml by default, merged by compose rules', () => {
    const web = svc(load(), 'web');
    assert.equal(web.raw.image, 'nginx:1.25', '.env feeds interpolation');
    assert.equal(web.raw.restart, 'always', 'merge key from the anchor');
    assert.deepEqual(web.raw.ports, ['8443:443', '8080:80', '9000:90'], 'ports merged by their identity');
    assert.deepEqual(web.raw.command, ['nginx-debug'], 'command replaced');
    assert.deepEqual(web.raw.volumes, [`cache:/cache`, `${DIR}/other:/usr/share/nginx/html:ro`], 'by target');
    assert.deepEqual(web.environment, [
      ['SHARED', 'override'],
      ['WHO', 'dotenv'],
      ['EXTRA', '1'],
    ]);
    assert.equal(web.raw.dns, undefined, '!reset removes');
    assert.deepEqual(web.raw.expose, ['7001'], '!override replaces');
    assert.deepEqual(web.raw.labels, { tier: 'front' });
  });

  test('only the given -f files', () => {
    const web = svc(load({ files: ['compose.yaml'] }), 'web');
    assert.deepEqual(web.raw.ports, ['8080:80', '8443:443']);
    assert.deepEqual(web.raw.dns, ['1.1.1.1']);
  });

  test('the shell environment wins over .env; --env-file replaces .env', () => {
    assert.equal(svc(load({ env: { TAG: 'shell' } }), 'web').raw.image, 'nginx:shell');
    assert.equal(svc(load({ envFiles: ['sub/base.env'] }), 'web').raw.image, 'nginx:latest');
  });

  test('extends in the same file takes the service as written there', () => {
    const worker = svc(load(), 'worker');
    assert.equal(worker.raw.image, 'nginx:1.25');
    assert.deepEqual(worker.raw.command, ['worker']);
    assert.equal(worker.raw.ports, undefined, '!reset [] drops the inherited ports');
    assert.equal(worker.raw.extends, undefined);
  });

  test('extends from another file resolves its relative paths there', () => {
    const api = svc(load(), 'api');
    assert.equal(api.raw.image, 'api:2');
    assert.deepEqual(api.raw.volumes, [`${DIR}/sub/data:/data`]);
    assert.deepEqual(api.environment, [
      ['FILE_VAR', 'from-file'],
      ['FROM_BASE', '1'],
      ['OWN', 'yes'],
    ]);
  });

  test('profiles: off by default, on with --profile, COMPOSE_PROFILES or *', () => {
    const names = (p: ComposeProject) => p.services.map((s) => s.name);
    assert.ok(!names(load()).includes('debug'));
    assert.ok(names(load({ profiles: ['debug'] })).includes('debug'));
    assert.ok(names(load({ env: { COMPOSE_PROFILES: 'x,debug' } })).includes('debug'));
    assert.ok(names(load({ profiles: ['*'] })).includes('debug'));
  });

  test('project name: -p, then COMPOSE_PROJECT_NAME, then name:, then the directory', () => {
    assert.equal(load().name, 'project');
    assert.equal(load({ env: { COMPOSE_PROJECT_NAME: 'fromenv' } }).name, 'fromenv');
    assert.equal(load({ projectName: 'given', env: { COMPOSE_PROJECT_NAME: 'fromenv' } }).name, 'given');
    assert.throws(() => load({ projectName: 'Bad Name' }), /invalid project name/);
  });

  test('unset variables are warned about', () => {
    const p = load({ envFiles: ['sub/base.env'] });
    assert.ok(p.warnings.some((w) => w.key === 'interpolation' && w.message.includes('WHO')));
  });

  test('circular extends fail', () => {
    assert.throws(() => load({ cwd: join(DIR, '../cycle') }), /circular extends/);
  });

  test('a directory without compose files fails', () => {
    assert.throws(() => load({ cwd: join(DIR, 'sub') }), /no compose file/);
  });
});
