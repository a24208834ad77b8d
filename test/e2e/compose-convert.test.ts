// `skiff compose convert` (the bundled CLI) piped into the real kubectl against a real skiff
// server: the output is accepted unchanged by client-side apply, server-side dry-run and
// server-side apply under the field manager `up` will use.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Skiff, startSkiff } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/skiff.mjs');
const FIXTURES = join(ROOT, 'src/compose/fixtures');
const FIELD_MANAGER = 'skiff-compose';

let s: Skiff;

function convert(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, 'compose', 'convert', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `convert ${args.join(' ')}:\n${r.stderr}`);
  return r.stdout;
}

async function k(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, input === undefined ? {} : { input });
  assert.equal(
    r.code,
    0,
    `kubectl ${args.join(' ')}\n${r.stdout}\n${r.stderr}\n--- server:\n${s.logs().slice(-2000)}`,
  );
  return r.stdout;
}

describe('compose convert | kubectl apply', () => {
  before(async () => {
    s = await startSkiff();
  });
  after(async () => {
    await s?.stop();
  });

  test('every-key fixture: dry-run, apply, server-side apply', async () => {
    const yaml = convert([
      '-f',
      join(FIXTURES, 'every-key.yaml'),
      '--profile',
      '*',
      '-n',
      'skiff-compose-all',
    ]);
    // The Namespace must exist before namespaced objects can be dry-run on the server.
    await k(['apply', '-f', '-'], yaml.split(/^---$/m)[0]);
    const dry = await k(['apply', '--dry-run=server', '-f', '-'], yaml);
    assert.match(dry, /statefulset\.apps\/app created \(server dry run\)/);
    const applied = await k(['apply', '-f', '-'], yaml);
    for (const id of [
      'namespace/skiff-compose-all',
      'configmap/cfg',
      'secret/token',
      'persistentvolumeclaim/data',
      'service/app',
      'service/application',
      'service/db',
      'networkpolicy.networking.k8s.io/network-back',
      'networkpolicy.networking.k8s.io/app-published',
      'statefulset.apps/app',
      'deployment.apps/db',
      'deployment.apps/base',
    ]) {
      assert.match(applied, new RegExp(`^${id.replace(/\./g, '\\.')} (created|unchanged|configured)$`, 'm'));
    }
    const again = await k(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], yaml);
    assert.match(again, /statefulset\.apps\/app serverside-applied/);
    const listed = JSON.parse(
      await k([
        'get',
        'all,cm,secret,pvc,networkpolicy',
        '-n',
        'skiff-compose-all',
        '-l',
        'skiff.dev/compose-project=everything',
        '-o',
        'json',
      ]),
    );
    const kinds = new Set(listed.items.map((o: { kind: string }) => o.kind));
    for (const kind of [
      'Service',
      'StatefulSet',
      'Deployment',
      'ConfigMap',
      'Secret',
      'PersistentVolumeClaim',
      'NetworkPolicy',
    ]) {
      assert.ok(kinds.has(kind), `${kind} found by the project label`);
    }
    const sts = JSON.parse(await k(['get', 'statefulset', 'app', '-n', 'skiff-compose-all', '-o', 'json']));
    assert.equal(sts.spec.template.spec.initContainers[0].name, 'wait-for-db');
    assert.equal(sts.spec.template.spec.containers[0].readinessProbe.periodSeconds, 10);
  });

  test('project fixture with its override file: server-side apply', async () => {
    const yaml = convert(['--project-directory', join(FIXTURES, 'project'), '--profile', 'debug']);
    const out = await k(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], yaml);
    assert.match(out, /namespace\/project serverside-applied/);
    assert.match(out, /statefulset\.apps\/web serverside-applied/);
    const web = JSON.parse(await k(['get', 'statefulset', 'web', '-n', 'project', '-o', 'json']));
    assert.equal(web.spec.template.spec.containers[0].image, 'nginx:1.25');
    assert.deepEqual(web.spec.template.spec.containers[0].args, ['nginx-debug']);
  });

  test('one-shot services: a Job, and an inlined service_completed_successfully dependency', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-compose-e2e-'));
    try {
      writeFileSync(
        join(dir, 'compose.yaml'),
        [
          'name: skiff-jobs',
          'services:',
          '  seed: {image: busybox:1.36, command: [echo, seeded], restart: "on-failure:2"}',
          '  migrate: {image: busybox:1.36, command: [echo, migrated], restart: "no"}',
          '  app:',
          '    image: busybox:1.36',
          '    command: [sleep, "3600"]',
          '    depends_on: {migrate: {condition: service_completed_successfully}}',
          '    configs: [{source: settings, target: /etc/app.conf, mode: 0444}]',
          'configs:',
          '  settings: {content: "level=debug"}',
        ].join('\n'),
      );
      const yaml = convert(['-f', join(dir, 'compose.yaml')]);
      const out = await k(['apply', '-f', '-'], yaml);
      assert.match(out, /^job\.batch\/seed created$/m);
      assert.match(out, /^configmap\/settings created$/m);
      assert.doesNotMatch(out, /job\.batch\/migrate/);
      const job = JSON.parse(await k(['get', 'job', 'seed', '-n', 'skiff-jobs', '-o', 'json']));
      assert.equal(job.spec.backoffLimit, 2);
      const app = JSON.parse(await k(['get', 'deployment', 'app', '-n', 'skiff-jobs', '-o', 'json']));
      assert.equal(app.spec.template.spec.initContainers[0].name, 'run-migrate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
