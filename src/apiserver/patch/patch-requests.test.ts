// The PATCH endpoint end to end in one process: an ApiServer on the memory backend with the
// built-in kinds, driven over plain HTTP on 127.0.0.1 with the bodies kubectl sends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APPS_KINDS } from '../../api/kinds/apps/index.ts';
import { CORE_KINDS } from '../../api/kinds/core/index.ts';
import { findUnknownFields } from '../../api/schemas/unknown-fields.ts';
import type { ApiServer } from '../server.ts';
import { memoryApiServer } from '../testing/memory-api-server.ts';

let server: ApiServer;
let base: string;

/** A decoded JSON response; the tests read it field by field. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON
type Body = Record<string, any>;

interface Reply {
  code: number;
  body: Body;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Reply> {
  const res = await fetch(base + path, {
    method,
    headers: {
      'Content-Type': contentType,
      'User-Agent': 'kubectl.1.32/v1.32.5 (linux/amd64) kubernetes/9894294',
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { code: res.status, body: (await res.json()) as Body, headers: res.headers };
}

const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';
const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
const CMS = '/api/v1/namespaces/default/configmaps';

const deployment = (name: string, image = 'nginx:1.25', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name: 'web',
            image,
            ports: [{ containerPort: 80 }, { containerPort: 443 }],
            env: [{ name: 'A', value: '1' }],
          },
          { name: 'sidecar', image: 'proxy:1' },
        ],
      },
    },
    ...extra,
  },
});

before(async () => {
  server = memoryApiServer({ kinds: [...CORE_KINDS, ...APPS_KINDS], unknownFields: findUnknownFields }).api;
  const { port } = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  const ns = await call('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'default' },
  });
  assert.equal(ns.code, 201, JSON.stringify(ns.body));
});

after(async () => {
  await server?.close();
});

describe('strategic merge patch', () => {
  test('kubectl apply removing a container, changing env, dropping a port, switching to Recreate', async () => {
    const created = await call(
      'POST',
      `${DEPLOYS}?fieldManager=kubectl-client-side-apply`,
      deployment('edit'),
    );
    assert.equal(created.code, 201, JSON.stringify(created.body));
    const patch = {
      spec: {
        strategy: { $retainKeys: ['type'], type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }],
            containers: [
              {
                name: 'web',
                '$setElementOrder/env': [{ name: 'A' }],
                env: [{ name: 'A', value: '2' }],
                '$setElementOrder/ports': [{ containerPort: 80 }],
                ports: [{ $patch: 'delete', containerPort: 443 }],
              },
              { $patch: 'delete', name: 'sidecar' },
            ],
          },
        },
      },
    };
    const r = await call(
      'PATCH',
      `${DEPLOYS}/edit?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
      patch,
      SMP,
    );
    assert.equal(r.code, 200, JSON.stringify(r.body));
    const spec = r.body.spec;
    assert.deepEqual(spec.strategy, { type: 'Recreate' });
    assert.deepEqual(
      spec.template.spec.containers.map((c: { name: string }) => c.name),
      ['web'],
    );
    const web = spec.template.spec.containers[0];
    assert.deepEqual(web.env, [{ name: 'A', value: '2' }]);
    assert.deepEqual(
      web.ports.map((p: { containerPort: number }) => p.containerPort),
      [80],
    );
    assert.equal(r.body.metadata.generation, 2);
  });

  test('a malformed patch is a 4xx Status, never a 5xx', async () => {
    await call('POST', DEPLOYS, deployment('bad'));
    const cases: [unknown, number, RegExp][] = [
      ['{"spec":', 400, /json/],
      [[1, 2], 400, /cannot unmarshal array/],
      [{ spec: { $setElementOrder: [] } }, 400, /setElementOrder/],
      [
        { spec: { '$setElementOrder/replicas': [1] } },
        400,
        /expected a \[\]interface \{\}, but received a int64/,
      ],
      [
        { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
        400,
        /does not contain declared merge key: name/,
      ],
      [{ spec: { strategy: { $patch: 'frobnicate' } } }, 400, /unknown patch type: frobnicate/],
      [{ spec: { selector: { matchLabels: { app: 'other' } } } }, 422, /field is immutable|Invalid/],
    ];
    for (const [body, code, msg] of cases) {
      const r = await call(
        'PATCH',
        `${DEPLOYS}/bad`,
        typeof body === 'string' ? body : JSON.stringify(body),
        SMP,
      );
      assert.equal(r.code, code, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
      assert.equal(r.body.kind, 'Status');
      assert.match(r.body.message, msg);
    }
  });

  test('strict field validation reports unknown fields of the patched object as an invalid patch', async () => {
    await call('POST', CMS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'strict' },
      data: { a: '1' },
    });
    const r = await call('PATCH', `${CMS}/strict?fieldValidation=Strict`, { dataa: { x: 'y' } }, SMP);
    assert.equal(r.code, 422, JSON.stringify(r.body));
    assert.equal(
      r.body.message,
      ' "" is invalid: patch: Invalid value: "map[dataa:map[x:y]]": strict decoding error: unknown field "dataa"',
    );
    const warn = await call('PATCH', `${CMS}/strict?fieldValidation=Warn`, { dataa: { x: 'y' } }, MERGE);
    assert.equal(warn.code, 200);
    assert.match(warn.headers.get('warning') ?? '', /unknown field \\?"dataa\\?"/);
  });

  test('dryRun=All answers the result and stores nothing', async () => {
    const before = await call('GET', `${CMS}/strict`);
    const r = await call('PATCH', `${CMS}/strict?dryRun=All`, { data: { a: 'dry' } }, SMP);
    assert.equal(r.code, 200);
    assert.equal(r.body.data.a, 'dry');
    const after = await call('GET', `${CMS}/strict`);
    assert.equal(after.body.data.a, before.body.data.a);
    assert.equal(after.body.metadata.resourceVersion, before.body.metadata.resourceVersion);
  });

  test('unknown patch types and options are refused as upstream does', async () => {
    const r = await call('PATCH', `${CMS}/strict`, '{}', 'application/x-foo');
    assert.equal(r.code, 415);
    assert.equal(
      r.body.message,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
    const forced = await call('PATCH', `${CMS}/strict?force=true`, '{}', MERGE);
    assert.equal(forced.code, 422);
    assert.equal(
      forced.body.message,
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
  });
});

describe('managed fields on every write', () => {
  test('create, SMP, merge and JSON patches record Update entries under their managers', async () => {
    const c = await call('POST', `${CMS}?fieldManager=kubectl-create`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'tracked', labels: { app: 'x' } },
      data: { a: '1' },
    });
    assert.equal(c.code, 201);
    assert.deepEqual(
      c.body.metadata.managedFields.map((e: { manager: string; operation: string }) => [
        e.manager,
        e.operation,
      ]),
      [['kubectl-create', 'Update']],
    );
    assert.deepEqual(c.body.metadata.managedFields[0].fieldsV1, {
      'f:data': { '.': {}, 'f:a': {} },
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    });
    await call('PATCH', `${CMS}/tracked?fieldManager=kubectl-patch`, { data: { b: '2' } }, SMP);
    await call(
      'PATCH',
      `${CMS}/tracked?fieldManager=kubectl-label`,
      { metadata: { labels: { tier: 'fe' } } },
      MERGE,
    );
    const last = await call(
      'PATCH',
      `${CMS}/tracked`,
      [{ op: 'add', path: '/data/c', value: '3' }],
      JSON_PATCH,
    );
    // Entries sort by time (seconds), then manager name.
    const managers = last.body.metadata.managedFields.map((e: { manager: string }) => e.manager);
    assert.deepEqual([...managers].sort(), [
      'kubectl-create',
      'kubectl-label',
      'kubectl-patch',
      'kubectl.1.32',
    ]);
    const byUA = last.body.metadata.managedFields.find(
      (e: { manager: string }) => e.manager === 'kubectl.1.32',
    );
    assert.deepEqual(byUA.fieldsV1, { 'f:data': { 'f:c': {} } });
    assert.equal(byUA.apiVersion, 'v1');
    assert.match(byUA.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

describe('server-side apply', () => {
  const cm = (data: Record<string, string>) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data });

  test('apply creates (201), re-applies (200) and a no-op keeps the resourceVersion', async () => {
    const created = await call('PATCH', `${CMS}/ssa?fieldManager=kubectl`, cm({ a: '1' }), APPLY);
    assert.equal(created.code, 201, JSON.stringify(created.body));
    assert.equal(created.body.metadata.managedFields[0].operation, 'Apply');
    const again = await call('PATCH', `${CMS}/ssa?fieldManager=kubectl`, cm({ a: '1' }), APPLY);
    assert.equal(again.code, 200);
    assert.equal(again.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "2"\n';
    const changed = await call('PATCH', `${CMS}/ssa?fieldManager=kubectl`, yaml, APPLY);
    assert.equal(changed.code, 200);
    assert.equal(changed.body.data.a, '2');
    assert.notEqual(changed.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
  });

  test('a second manager conflicts (409 with causes) until it forces', async () => {
    const r = await call('PATCH', `${CMS}/ssa?fieldManager=other`, cm({ a: '3' }), APPLY);
    assert.equal(r.code, 409);
    assert.equal(r.body.reason, 'Conflict');
    assert.equal(r.body.message, 'Apply failed with 1 conflict: conflict with "kubectl": .data.a');
    assert.deepEqual(r.body.details.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.data.a' },
    ]);
    const forced = await call('PATCH', `${CMS}/ssa?fieldManager=other&force=true`, cm({ a: '3' }), APPLY);
    assert.equal(forced.code, 200);
    assert.equal(forced.body.data.a, '3');
    const owners = forced.body.metadata.managedFields.map((e: { manager: string }) => e.manager);
    assert.deepEqual(owners, ['other']);
  });

  test('apply refuses bad requests with upstream statuses', async () => {
    const noManager = await call('PATCH', `${CMS}/ssa`, cm({ a: '1' }), APPLY);
    assert.equal(noManager.code, 422);
    assert.equal(
      noManager.body.message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    const wrongKind = await call(
      'PATCH',
      `${CMS}/ssa?fieldManager=kubectl`,
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ssa' } }),
      APPLY,
    );
    assert.equal(wrongKind.code, 400);
    assert.equal(wrongKind.body.message, 'invalid object type: /v1, Kind=Secret');
    const wrongName = await call('PATCH', `${CMS}/other-name?fieldManager=kubectl`, cm({ a: '1' }), APPLY);
    assert.equal(wrongName.code, 400);
    assert.equal(
      wrongName.body.message,
      'the name of the object (ssa) does not match the name on the URL (other-name)',
    );
    const badYaml = await call('PATCH', `${CMS}/ssa?fieldManager=kubectl`, 'a: [1\n', APPLY);
    assert.equal(badYaml.code, 400);
    assert.match(badYaml.body.message, /^error decoding YAML: /);
    const dup = await call(
      'PATCH',
      `${CMS}/ssa?fieldManager=other&fieldValidation=Strict`,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "3"\n  a: "3"\n',
      APPLY,
    );
    assert.equal(dup.code, 400);
    assert.match(dup.body.message, /^error strict decoding YAML: .*key "a" already set in map/s);
  });

  test('apply to /status records a status entry; the main resource keeps its own', async () => {
    const pods = '/api/v1/namespaces/default/pods';
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'st' },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    };
    assert.equal(
      (await call('PATCH', `${pods}/st?fieldManager=kubectl`, JSON.stringify(pod), APPLY)).code,
      201,
    );
    const status = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'st' }, status: { phase: 'Running' } };
    const missing = await call(
      'PATCH',
      `${pods}/nope/status?fieldManager=agent`,
      JSON.stringify(status),
      APPLY,
    );
    assert.equal(missing.code, 404);
    const r = await call('PATCH', `${pods}/st/status?fieldManager=agent`, JSON.stringify(status), APPLY);
    assert.equal(r.code, 200, JSON.stringify(r.body));
    assert.equal(r.body.status.phase, 'Running');
    const entries = r.body.metadata.managedFields as Body[];
    const agent = entries.find((e) => e.manager === 'agent');
    assert.deepEqual(agent, {
      manager: 'agent',
      operation: 'Apply',
      apiVersion: 'v1',
      time: agent?.time,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:phase': {} } },
      subresource: 'status',
    });
    const main = entries.find((e) => e.manager === 'kubectl');
    assert.ok(main && !('f:status' in main.fieldsV1), JSON.stringify(main));
    // A status update (not apply) is recorded under its subresource too.
    const put = await call('PUT', `${pods}/st/status?fieldManager=kubelet`, {
      ...r.body,
      status: { phase: 'Succeeded' },
    });
    assert.equal(put.code, 200, JSON.stringify(put.body));
    const kubelet = (put.body.metadata.managedFields as Body[]).find((e) => e.manager === 'kubelet');
    assert.equal(kubelet?.subresource, 'status');
    assert.deepEqual(kubelet?.fieldsV1, { 'f:status': { 'f:phase': {} } });
  });

  test('apply with dryRun creates nothing', async () => {
    const r = await call(
      'PATCH',
      `${CMS}/dry?fieldManager=kubectl&dryRun=All`,
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } }),
      APPLY,
    );
    assert.equal(r.code, 201);
    const get = await call('GET', `${CMS}/dry`);
    assert.equal(get.code, 404);
  });

  test('a Deployment applied twice by two managers, then the owner drops a container', async () => {
    const body = (replicas: number, containers: unknown[]) =>
      JSON.stringify({
        ...deployment('ssa-web'),
        spec: {
          ...deployment('ssa-web').spec,
          replicas,
          template: { metadata: { labels: { app: 'ssa-web' } }, spec: { containers } },
        },
      });
    const both = [
      { name: 'web', image: 'nginx:1.25' },
      { name: 'sidecar', image: 'proxy:1' },
    ];
    const r1 = await call('PATCH', `${DEPLOYS}/ssa-web?fieldManager=kubectl`, body(2, both), APPLY);
    assert.equal(r1.code, 201, JSON.stringify(r1.body));
    const r2 = await call(
      'PATCH',
      `${DEPLOYS}/ssa-web?fieldManager=hpa`,
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'ssa-web' },
        spec: { replicas: 5 },
      }),
      APPLY,
    );
    assert.equal(r2.code, 409);
    assert.equal(r2.body.message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    const r3 = await call('PATCH', `${DEPLOYS}/ssa-web?fieldManager=kubectl`, body(2, [both[0]]), APPLY);
    assert.equal(r3.code, 200);
    assert.deepEqual(
      r3.body.spec.template.spec.containers.map((c: { name: string }) => c.name),
      ['web'],
    );
    // Defaults the applier never set survive its applies.
    assert.equal(r3.body.spec.template.spec.containers[0].terminationMessagePath, '/dev/termination-log');
  });
});
