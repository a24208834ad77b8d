import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allDefinitions, definitionName, getDefinition, resolve, schemaFor } from './index.ts';

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

test('definition names come from x-kubernetes-group-version-kind', () => {
  const cases: [group: string, version: string, kind: string, name: string | undefined][] = [
    ['', 'v1', 'Pod', `${CORE}.Pod`],
    ['', 'v1', 'PodList', `${CORE}.PodList`],
    ['', 'v1', 'Namespace', `${CORE}.Namespace`],
    ['apps', 'v1', 'Deployment', 'io.k8s.api.apps.v1.Deployment'],
    ['autoscaling', 'v1', 'Scale', 'io.k8s.api.autoscaling.v1.Scale'],
    ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'io.k8s.api.rbac.v1.ClusterRole'],
    [
      'apiextensions.k8s.io',
      'v1',
      'CustomResourceDefinition',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    ],
    ['apps', 'v1', 'Pod', undefined],
    ['example.com', 'v1', 'Widget', undefined],
  ];
  for (const [g, v, k, want] of cases) assert.equal(definitionName(g, v, k), want, `${g}/${v}/${k}`);
  assert.equal(schemaFor('example.com', 'v1', 'Widget'), undefined);
});

test('schema nodes: types, formats, required, refs', () => {
  const pod = schemaFor('', 'v1', 'Pod');
  assert.ok(pod?.properties);
  assert.equal(pod.type, 'object');
  assert.equal(pod.properties.spec.ref, `${CORE}.PodSpec`);
  const spec = resolve(pod.properties.spec);
  assert.equal(spec, getDefinition(`${CORE}.PodSpec`));
  assert.deepEqual(spec.required, ['containers']);
  assert.equal(spec.properties?.activeDeadlineSeconds.type, 'integer');
  assert.equal(spec.properties?.activeDeadlineSeconds.format, 'int64');
  assert.equal(spec.properties?.hostNetwork.type, 'boolean');
  assert.equal(spec.properties?.nodeSelector.type, 'object');
  assert.deepEqual(spec.properties?.nodeSelector.additionalProperties, { type: 'string' });
  assert.equal(spec.properties?.containers.items?.ref, `${CORE}.Container`);
  const port = getDefinition(`${CORE}.ContainerPort`);
  assert.equal(port?.properties?.containerPort.format, 'int32');
  assert.deepEqual(port?.required, ['containerPort']);
  const secret = getDefinition(`${CORE}.Secret`);
  assert.equal(
    (secret?.properties?.data.additionalProperties as { format?: string } | undefined)?.format,
    'byte',
  );
  assert.equal(getDefinition(`${META}.Time`)?.format, 'date-time');
  assert.equal(getDefinition(`${META}.MicroTime`)?.format, 'date-time');
  assert.equal(getDefinition('io.k8s.apimachinery.pkg.util.intstr.IntOrString')?.intOrString, true);
  const rolling = getDefinition('io.k8s.api.apps.v1.RollingUpdateDeployment');
  assert.equal(resolve(rolling?.properties?.maxSurge ?? {}).intOrString, true);
  assert.equal(getDefinition('no.such.Type'), undefined);
  // A node without a ref resolves to itself; the same definition is converted once.
  const plain = { type: 'string' as const };
  assert.equal(resolve(plain), plain);
  assert.equal(getDefinition(`${CORE}.PodSpec`), getDefinition(`${CORE}.PodSpec`));
});

test('patch and list metadata from the table are on the nodes', () => {
  const field = (def: string, name: string) => {
    const p = getDefinition(def)?.properties?.[name];
    assert.ok(p, `${def}.${name}`);
    return p;
  };
  const cases: [def: string, field: string, want: Record<string, unknown>][] = [
    [
      `${CORE}.PodSpec`,
      'containers',
      { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    ],
    [
      `${CORE}.PodSpec`,
      'volumes',
      { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map' },
    ],
    [`${CORE}.PodSpec`, 'tolerations', { patchStrategy: undefined, listType: undefined }],
    [`${CORE}.PodSpec`, 'nodeSelector', { mapType: 'atomic' }],
    [
      `${CORE}.PodSpec`,
      'topologySpreadConstraints',
      { patchMergeKey: 'topologyKey', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
    ],
    [
      `${CORE}.Container`,
      'ports',
      { patchMergeKey: 'containerPort', listMapKeys: ['containerPort', 'protocol'] },
    ],
    [`${CORE}.Container`, 'env', { patchMergeKey: 'name' }],
    [`${CORE}.Container`, 'volumeMounts', { patchMergeKey: 'mountPath' }],
    [`${CORE}.EphemeralContainer`, 'volumeDevices', { patchMergeKey: 'devicePath' }],
    [`${CORE}.ServiceSpec`, 'ports', { patchMergeKey: 'port', listMapKeys: ['port', 'protocol'] }],
    [`${CORE}.PodStatus`, 'hostIPs', { patchMergeKey: 'ip', listType: 'atomic', listMapKeys: undefined }],
    [`${CORE}.PodStatus`, 'podIPs', { patchMergeKey: 'ip', listType: 'map' }],
    [`${CORE}.NodeSpec`, 'podCIDRs', { patchStrategy: 'merge', patchMergeKey: undefined, listType: 'set' }],
    [`${CORE}.NodeStatus`, 'addresses', { patchMergeKey: 'type' }],
    [`${CORE}.ServiceAccount`, 'secrets', { patchMergeKey: 'name' }],
    [`${META}.ObjectMeta`, 'finalizers', { patchStrategy: 'merge', listType: 'set' }],
    [`${META}.ObjectMeta`, 'ownerReferences', { patchMergeKey: 'uid', listType: 'map' }],
    [
      'io.k8s.api.apps.v1.DeploymentSpec',
      'strategy',
      { patchStrategy: 'retainKeys', ref: 'io.k8s.api.apps.v1.DeploymentStrategy' },
    ],
    ['io.k8s.api.apps.v1.DeploymentStatus', 'conditions', { patchMergeKey: 'type', listType: 'map' }],
    ['io.k8s.api.batch.v1.JobStatus', 'conditions', { patchMergeKey: 'type', listType: 'atomic' }],
    ['io.k8s.api.policy.v1.PodDisruptionBudgetSpec', 'selector', { patchStrategy: 'replace' }],
    [
      `${CORE}.ResourceRequirements`,
      'claims',
      { patchStrategy: undefined, listType: 'map', listMapKeys: ['name'] },
    ],
    ['io.k8s.api.discovery.v1.Endpoint', 'addresses', { listType: 'set' }],
  ];
  for (const [def, name, want] of cases) {
    const p = field(def, name);
    for (const [k, v] of Object.entries(want))
      assert.deepEqual((p as Record<string, unknown>)[k], v, `${def}.${name} ${k}`);
  }
  assert.equal(getDefinition(`${META}.LabelSelector`)?.mapType, 'atomic');
  assert.equal(getDefinition(`${CORE}.ObjectReference`)?.mapType, 'atomic');
  assert.equal(getDefinition(`${CORE}.PodSpec`)?.mapType, undefined);
});

test('every $ref in the definitions names a definition', () => {
  const defs = allDefinitions();
  assert.ok(Object.keys(defs).length > 500);
  let refs = 0;
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${at}[${i}]`);
    } else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        // JSONSchemaProps declares a property literally named `$ref`: only string values are refs.
        if (k === '$ref' && typeof x === 'string') {
          refs++;
          assert.ok(x.startsWith('#/components/schemas/'), at);
          assert.ok(defs[x.slice('#/components/schemas/'.length)], `${at} → ${x}`);
        } else walk(x, `${at}.${k}`);
      }
  };
  for (const [name, d] of Object.entries(defs)) walk(d, name);
  assert.ok(refs > 500, `only ${refs} refs`);
});

test('importing the module reads nothing: the data file loads on first use', () => {
  // A copy of index.ts without definitions.json beside it (nor the src fallback) imports fine
  // and fails only when a schema is asked for.
  const dir = mkdtempSync(join(tmpdir(), 'skiff-schemas-'));
  try {
    const copy = join(dir, 'index.ts');
    copyFileSync(fileURLToPath(new URL('./index.ts', import.meta.url)), copy);
    const script = `const m = await import(${JSON.stringify(copy)});
console.log('imported');
try { m.getDefinition('x'); console.log('loaded'); } catch (e) { console.log('missing: ' + e.message); }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^imported\nmissing: schema definitions not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('descriptions: only the OpenAPI read has them; the resident schemas leave them out', () => {
  const full = allDefinitions() as Record<
    string,
    { description?: string; properties?: Record<string, { description?: string }> }
  >;
  assert.match(full[`${CORE}.PodSpec`].description ?? '', /PodSpec is a description of a pod/);
  assert.match(full[`${CORE}.Pod`].properties?.spec.description ?? '', /desired behavior of the pod/);
  const pod = schemaFor('', 'v1', 'Pod');
  assert.equal(JSON.stringify(pod).includes('desired behavior'), false);
  // A property named `description` (an object, not documentation) is kept.
  const props = getDefinition('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps');
  assert.ok(props?.properties?.description);
});
