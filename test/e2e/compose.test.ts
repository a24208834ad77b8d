// `skiff compose up|ps|scale|restart|down` against a real `skiff server` (its controllers run,
// so foreground deletion and namespace removal finish as on a real cluster). No node runs the
// pods here: what is checked is what reaches the API — the containers' side is in the agent e2e.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { runDown, runPs, runRestart, runScale, runUp } from '../../src/cli/compose-run.ts';
import { type Skiff, startSkiff } from './harness.ts';

const IMAGE = '127.0.0.1:5999/skiff-test/busybox:1';
let s: Skiff;
let dir: string;

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _e, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

function composeFile(webImage: string, withExtra = true): string {
  return `
name: shop
services:
  cache:
    image: ${IMAGE}
    command: [httpd, -f, -p, "6379"]
    expose: ["6379"]
    healthcheck: { test: [CMD, nc, -z, 127.0.0.1, "6379"], interval: 1s }
    networks: [back]
  migrate:
    image: ${IMAGE}
    command: [sh, -c, "echo migrated"]
    restart: "no"
  web:
    image: ${webImage}
    command: [httpd, -f, -p, "80"]
    ports: ["30080:80"]
    depends_on:
      cache: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
    networks: [front, back]
${
  withExtra
    ? `  extra:
    image: ${IMAGE}
    command: [sleep, "3600"]
    networks: [front]
`
    : ''
}volumes:
  data: {}
networks:
  front: {}
  back: {}
`;
}

async function verb(fn: (io: { out: Writable; err: Writable }) => Promise<number>) {
  const out = sink();
  const err = sink();
  const code = await fn({ out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}

const flags = () => ({
  file: [join(dir, 'compose.yaml')],
  profile: [],
  envFile: [],
  kubeconfig: s.kubeconfig,
  waitImage: IMAGE,
});

async function kubectl(args: string[]): Promise<string> {
  const r = await s.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  s = await startSkiff();
  dir = mkdtempSync(join(tmpdir(), 'skiff-compose-e2e-'));
});
after(async () => {
  await s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('up creates the project; up again changes nothing; an edited service alone is configured; a removed one is pruned', async () => {
  writeFileSync(join(dir, 'compose.yaml'), composeFile(IMAGE));
  const first = await verb((io) => runUp(flags(), io));
  assert.equal(first.code, 0, first.err);
  for (const line of [
    'namespace/shop created',
    'deployment/web created',
    'deployment/extra created',
    'service/web created',
  ])
    assert.ok(first.out.includes(line), `${line} in\n${first.out}`);
  const web = JSON.parse(
    await kubectl(['-n', 'shop', 'get', 'deploy', 'web', '-o', 'json', '--show-managed-fields']),
  );
  const inits = web.spec.template.spec.initContainers.map((c: { name: string }) => c.name);
  assert.ok(inits.includes('run-migrate'), `the one-shot dependency runs first: ${inits}`);
  assert.equal(
    web.metadata.managedFields.find((m: { manager: string }) => m.manager === 'skiff-compose').operation,
    'Apply',
  );

  const again = await verb((io) => runUp(flags(), io));
  assert.equal(again.code, 0, again.err);
  assert.doesNotMatch(again.out, /created|configured/, again.out);
  assert.match(again.out, /deployment\/web unchanged/);

  writeFileSync(join(dir, 'compose.yaml'), composeFile(`${IMAGE}-new`, false));
  const edited = await verb((io) => runUp(flags(), io));
  assert.equal(edited.code, 0, edited.err);
  assert.match(edited.out, /deployment\/web configured/);
  assert.match(edited.out, /deployment\/cache unchanged/);
  assert.match(edited.out, /deployment\/extra pruned/);
  const gone = await s.kubectl(['-n', 'shop', 'get', 'deploy', 'extra']);
  assert.notEqual(gone.code, 0);
});

test('ps lists the project pods in compose columns; scale and restart change the workloads', async () => {
  const ps = await verb((io) => runPs(flags(), io));
  assert.equal(ps.code, 0, ps.err);
  assert.deepEqual(ps.out.split('\n')[0].split(/ {3,}/), [
    'NAME',
    'IMAGE',
    'SERVICE',
    'CREATED',
    'STATUS',
    'PORTS',
  ]);

  const scaled = await verb((io) => runScale(flags(), ['web=3'], io));
  assert.equal(scaled.code, 0, scaled.err);
  assert.equal(
    (await kubectl(['-n', 'shop', 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).trim(),
    '3',
  );
  const bad = await verb((io) => runScale(flags(), ['nope=1'], io));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /no such service: nope/);

  const restarted = await verb((io) => runRestart(flags(), ['web'], io));
  assert.equal(restarted.code, 0, restarted.err);
  const at = await kubectl([
    '-n',
    'shop',
    'get',
    'deploy',
    'web',
    '-o',
    'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}',
  ]);
  assert.ok(!Number.isNaN(Date.parse(at)), `restartedAt: ${at}`);
});

test('down removes the objects but keeps volumes; down --volumes leaves nothing of the project', async () => {
  const down = await verb((io) => runDown({ ...flags(), timeout: '60' }, io));
  assert.equal(down.code, 0, down.err);
  assert.match(down.out, /deployment\/web removed/);
  const left = await kubectl([
    '-n',
    'shop',
    'get',
    'deploy,svc,netpol,configmap,secret',
    '-l',
    'skiff.dev/compose-project=shop',
    '-o',
    'name',
  ]);
  assert.equal(left.trim(), '');
  assert.match(await kubectl(['-n', 'shop', 'get', 'pvc', '-o', 'name']), /persistentvolumeclaim\/|^$/);
  assert.equal((await s.kubectl(['get', 'ns', 'shop'])).code, 0, 'the namespace stays without --volumes');

  const all = await verb((io) => runDown({ ...flags(), volumes: true, timeout: '60' }, io));
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, /namespace\/shop removed/);
  const ns = await s.kubectl(['get', 'ns', 'shop']);
  assert.notEqual(ns.code, 0, 'the project namespace is gone');
  assert.match(ns.stderr, /NotFound|not found/);
});
