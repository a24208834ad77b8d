// Patch and apply with the real kubectl (1.32 through the dispatcher, and the 1.29 binary) against
// a real skiff server: client-side apply edits, server-side apply conflicts and forcing, diff,
// edit, set image, rollout restart, cordon/uncordon and every patch type.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type KubectlResult, kubectlBinary, type Skiff, startSkiff } from './harness.ts';

const NS = 'skiff-apply';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

let s: Skiff;
let scratch: string;

async function k(args: string[], opts: { input?: string; binary?: string } = {}): Promise<string> {
  const r = await s.kubectl(args, opts);
  if (r.code !== 0) {
    assert.fail(
      `kubectl ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}\n--- server:\n${s.logs().slice(-3000)}`,
    );
  }
  return r.stdout;
}

const run = (args: string[], opts: { input?: string; binary?: string } = {}): Promise<KubectlResult> =>
  s.kubectl(args, opts);

/** An object as kubectl prints it with -o json; the tests read it field by field. */
// biome-ignore lint/suspicious/noExplicitAny: objects are arbitrary JSON
type Json = Record<string, any>;

async function getJson(kind: string, name: string): Promise<Json> {
  return JSON.parse(await k(['get', kind, name, '-n', NS, '-o', 'json', '--show-managed-fields'])) as Json;
}

interface Container {
  name: string;
  image?: string;
  env?: { name: string; value?: string }[];
  ports?: { containerPort: number; protocol?: string }[];
}

/** The manifest of the edit flow; `edited` removes the sidecar, changes MODE, drops 443, switches to Recreate. */
function shopManifest(name: string, edited: boolean): string {
  const web = `    - name: web
        image: nginx:1.25
        env:
        - name: MODE
          value: ${edited ? 'green' : 'blue'}
        - name: LOG
          value: info
        ports:
        - containerPort: 80${edited ? '' : '\n        - containerPort: 443'}`;
  const sidecar = `
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "3600"]`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${NS}
  labels: {app: ${name}}
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${name}}${edited ? '\n  strategy:\n    type: Recreate' : ''}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
  ${web}${edited ? '' : sidecar}
`;
}

before(async () => {
  s = await startSkiff();
  scratch = mkdtempSync(join(tmpdir(), 'skiff-apply-e2e-'));
  await k(['create', 'namespace', NS]);
});

after(async () => {
  await s?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function checkEditFlow(name: string, binary?: string): Promise<void> {
  const created = await k(['apply', '-f', '-'], { input: shopManifest(name, false), binary });
  assert.match(created, new RegExp(`deployment.apps/${name} created`));
  const first = await getJson('deploy', name);
  assert.deepEqual(
    first.spec.template.spec.containers.map((c: Container) => c.name),
    ['web', 'sidecar'],
  );
  assert.equal(first.spec.strategy.type, 'RollingUpdate');
  assert.ok(first.metadata.annotations[LAST_APPLIED], 'client-side apply stores its annotation');

  const configured = await k(['apply', '-f', '-'], { input: shopManifest(name, true), binary });
  assert.match(configured, new RegExp(`deployment.apps/${name} configured`));
  const live = await getJson('deploy', name);
  const spec = live.spec;
  // $retainKeys cleared rollingUpdate: the strategy is exactly what the manifest says.
  assert.deepEqual(spec.strategy, { type: 'Recreate' });
  const containers = spec.template.spec.containers as Container[];
  assert.deepEqual(
    containers.map((c) => c.name),
    ['web'],
  );
  assert.deepEqual(containers[0].env, [
    { name: 'MODE', value: 'green' },
    { name: 'LOG', value: 'info' },
  ]);
  assert.deepEqual(containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(containers[0].image, 'nginx:1.25');
  assert.equal(live.metadata.generation, 2);
  const lastApplied = JSON.parse(live.metadata.annotations[LAST_APPLIED]);
  assert.equal(lastApplied.spec.strategy.type, 'Recreate');
  const csa = live.metadata.managedFields.find(
    (e: { manager: string }) => e.manager === 'kubectl-client-side-apply',
  );
  assert.ok(csa, 'client-side apply writes are recorded under kubectl-client-side-apply');
  assert.equal(csa.operation, 'Update');
  assert.ok(csa.fieldsV1['f:spec']['f:strategy'], JSON.stringify(csa.fieldsV1));

  const unchanged = await k(['apply', '-f', '-'], { input: shopManifest(name, true), binary });
  assert.match(unchanged, new RegExp(`deployment.apps/${name} unchanged`));
}

describe('client-side apply', () => {
  test('kubectl 1.32: apply, edit the manifest, re-apply', () => checkEditFlow('shop'));
  test('kubectl 1.29: the same flow', () => checkEditFlow('shop-129', kubectlBinary(29)));

  test('kubectl diff shows the change and exits 1; no change exits 0', async () => {
    const changed = shopManifest('shop', true).replace('nginx:1.25', 'nginx:1.26');
    const r = await run(['diff', '-f', '-'], { input: changed });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^-\s+image: nginx:1\.25$/m);
    assert.match(r.stdout, /^\+\s+image: nginx:1\.26$/m);
    assert.doesNotMatch(r.stdout, /managedFields/);
    const same = await run(['diff', '-f', '-'], { input: shopManifest('shop', true) });
    assert.equal(same.code, 0, `${same.stdout}\n${same.stderr}`);
    assert.equal(same.stdout, '');
    assert.equal((await getJson('deploy', 'shop')).spec.template.spec.containers[0].image, 'nginx:1.25');
  });
});

describe('server-side apply', () => {
  const cm = (value: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ${NS}\ndata:\n  color: ${value}\n  size: M\n`;

  test('two field managers conflict; --force-conflicts takes the field', async () => {
    assert.match(
      await k(['apply', '--server-side', '-f', '-'], { input: cm('blue') }),
      /configmap\/settings serverside-applied/,
    );
    const again = await k(['apply', '--server-side', '-f', '-'], { input: cm('blue') });
    assert.match(again, /configmap\/settings serverside-applied/);
    const rv = (await getJson('cm', 'settings')).metadata.resourceVersion;

    const conflict = await run(['apply', '--server-side', '--field-manager=team-b', '-f', '-'], {
      input: cm('red'),
    });
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.data\.color/);
    assert.match(conflict.stderr, /--force-conflicts/);
    assert.equal(
      (await getJson('cm', 'settings')).metadata.resourceVersion,
      rv,
      'a refused apply writes nothing',
    );

    const forced = await k(
      ['apply', '--server-side', '--field-manager=team-b', '--force-conflicts', '-f', '-'],
      {
        input: cm('red'),
      },
    );
    assert.match(forced, /serverside-applied/);
    const live = await getJson('cm', 'settings');
    assert.equal(live.data.color, 'red');
    const owners = Object.fromEntries(
      live.metadata.managedFields.map((e: { manager: string; fieldsV1: object }) => [e.manager, e.fieldsV1]),
    );
    assert.deepEqual(owners['team-b'], { 'f:data': { 'f:color': {}, 'f:size': {} } });
    assert.deepEqual(owners.kubectl, { 'f:data': { 'f:size': {} } });
  });

  test('kubectl 1.29 applies server-side too', async () => {
    const out = await k(['apply', '--server-side', '--field-manager=team-b', '-f', '-'], {
      input: cm('green'),
      binary: kubectlBinary(29),
    });
    assert.match(out, /serverside-applied/);
    assert.equal((await getJson('cm', 'settings')).data.color, 'green');
  });

  test('apply --server-side after client-side apply takes over without conflicts', async () => {
    await k(['apply', '-f', '-'], { input: shopManifest('migrate', false) });
    const upgraded = shopManifest('migrate', false).replace('replicas: 2', 'replicas: 3');
    const r = await run(['apply', '--server-side', '-f', '-'], { input: upgraded });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${s.logs().slice(-2000)}`);
    assert.doesNotMatch(r.stderr, /fail/i);
    const live = await getJson('deploy', 'migrate');
    assert.equal(live.spec.replicas, 3);
    const kubectlEntry = live.metadata.managedFields.find(
      (e: { manager: string; operation: string }) => e.manager === 'kubectl' && e.operation === 'Apply',
    );
    assert.ok(kubectlEntry?.fieldsV1['f:spec']['f:replicas'], JSON.stringify(live.metadata.managedFields));
    assert.equal(JSON.parse(live.metadata.annotations[LAST_APPLIED]).spec.replicas, 3);
  });
});

describe('other writers', () => {
  test('kubectl edit through KUBE_EDITOR', async () => {
    const editor = join(scratch, 'skiff-editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/^  replicas: 2$/  replicas: 4/" "$1"\n');
    chmodSync(editor, 0o755);
    const saved = process.env.KUBE_EDITOR;
    process.env.KUBE_EDITOR = editor;
    try {
      assert.match(await k(['edit', 'deployment/shop', '-n', NS]), /deployment.apps\/shop edited/);
    } finally {
      if (saved === undefined) delete process.env.KUBE_EDITOR;
      else process.env.KUBE_EDITOR = saved;
    }
    const live = await getJson('deploy', 'shop');
    assert.equal(live.spec.replicas, 4);
    const edit = live.metadata.managedFields.find((e: { manager: string }) => e.manager === 'kubectl-edit');
    assert.deepEqual(edit?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  });

  test('kubectl set image', async () => {
    assert.match(await k(['set', 'image', 'deployment/shop', 'web=nginx:1.27', '-n', NS]), /image updated/);
    const c = (await getJson('deploy', 'shop')).spec.template.spec.containers[0];
    assert.equal(c.image, 'nginx:1.27');
    assert.deepEqual(c.env, [
      { name: 'MODE', value: 'green' },
      { name: 'LOG', value: 'info' },
    ]);
  });

  test('kubectl rollout restart stamps the pod template', async () => {
    assert.match(await k(['rollout', 'restart', 'deployment/shop', '-n', NS]), /restarted/);
    const tpl = (await getJson('deploy', 'shop')).spec.template;
    assert.match(
      tpl.metadata.annotations['kubectl.kubernetes.io/restartedAt'],
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/,
    );
    assert.deepEqual(tpl.metadata.labels, { app: 'shop' });
  });

  test('cordon and uncordon a node', async () => {
    await k(['create', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: skiff-e2e-node\n',
    });
    assert.match(await k(['cordon', 'skiff-e2e-node']), /cordoned/);
    let node = JSON.parse(await k(['get', 'node', 'skiff-e2e-node', '-o', 'json']));
    assert.equal(node.spec.unschedulable, true);
    assert.match(await k(['uncordon', 'skiff-e2e-node']), /uncordoned/);
    node = JSON.parse(await k(['get', 'node', 'skiff-e2e-node', '-o', 'json']));
    assert.equal(node.spec.unschedulable, undefined);
    await k(['delete', 'node', 'skiff-e2e-node']);
  });

  test('kubectl patch: strategic (default), merge and json', async () => {
    await k([
      'patch',
      'deploy',
      'shop',
      '-n',
      NS,
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"NEW","value":"1"}]}]}}}}',
    ]);
    let live = await getJson('deploy', 'shop');
    // A strategic merge adds an element the live list lacks in front, as upstream does.
    assert.deepEqual(
      live.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name),
      ['NEW', 'MODE', 'LOG'],
    );
    await k([
      'patch',
      'deploy',
      'shop',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"patched":"merge"}}}',
    ]);
    await k([
      'patch',
      'deploy',
      'shop',
      '-n',
      NS,
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/replicas","value":3}]',
    ]);
    live = await getJson('deploy', 'shop');
    assert.equal(live.metadata.labels.patched, 'merge');
    assert.equal(live.spec.replicas, 3);
    const managers = live.metadata.managedFields.map((e: { manager: string }) => e.manager);
    assert.ok(managers.includes('kubectl-patch'), managers.join(','));

    const bad = await run([
      'patch',
      'deploy',
      'shop',
      '-n',
      NS,
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}',
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /does not contain declared merge key: name/);
  });
});
