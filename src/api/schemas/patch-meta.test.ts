import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generateDefinitions } from '../../../scripts/gen-schemas.ts';
import { allDefinitions } from './index.ts';
import { ATOMIC_STRUCTS, FIELD_META, resolveFieldMeta } from './patch-meta.ts';

test('derivation rule: merge lists become map or set lists unless the entry says otherwise', () => {
  const cases: [input: Parameters<typeof resolveFieldMeta>[0], want: ReturnType<typeof resolveFieldMeta>][] =
    [
      [
        { strategy: 'merge', mergeKey: 'name' },
        { strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
      ],
      [
        { strategy: 'merge,retainKeys', mergeKey: 'name' },
        { strategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
      ],
      [{ strategy: 'merge' }, { strategy: 'merge', listType: 'set' }],
      [
        { strategy: 'merge', mergeKey: 'port', listMapKeys: ['port', 'protocol'] },
        { strategy: 'merge', mergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] },
      ],
      [
        { strategy: 'merge', mergeKey: 'ip', listType: 'atomic' },
        { strategy: 'merge', mergeKey: 'ip', listType: 'atomic' },
      ],
      [{ strategy: 'retainKeys' }, { strategy: 'retainKeys' }],
      [{ listType: 'set' }, { listType: 'set' }],
      [{ mapType: 'atomic' }, { mapType: 'atomic' }],
    ];
  for (const [input, want] of cases) assert.deepEqual(resolveFieldMeta(input), want, JSON.stringify(input));
});

test('kubectl-wire §9 merge keys are in the table', () => {
  const want: [key: string, mergeKey: string | undefined, strategy: string][] = [
    ['io.k8s.api.core.v1.PodSpec.containers', 'name', 'merge'],
    ['io.k8s.api.core.v1.PodSpec.initContainers', 'name', 'merge'],
    ['io.k8s.api.core.v1.PodSpec.ephemeralContainers', 'name', 'merge'],
    ['io.k8s.api.core.v1.Container.env', 'name', 'merge'],
    ['io.k8s.api.core.v1.Container.ports', 'containerPort', 'merge'],
    ['io.k8s.api.core.v1.ServiceSpec.ports', 'port', 'merge'],
    ['io.k8s.api.core.v1.PodSpec.volumes', 'name', 'merge,retainKeys'],
    ['io.k8s.api.core.v1.Container.volumeMounts', 'mountPath', 'merge'],
    ['io.k8s.api.core.v1.Container.volumeDevices', 'devicePath', 'merge'],
    ['io.k8s.api.core.v1.PodSpec.imagePullSecrets', 'name', 'merge'],
    ['io.k8s.api.core.v1.PodSpec.hostAliases', 'ip', 'merge'],
    ['io.k8s.api.core.v1.PodStatus.podIPs', 'ip', 'merge'],
    ['io.k8s.api.core.v1.PodStatus.hostIPs', 'ip', 'merge'],
    ['io.k8s.api.core.v1.PodSpec.topologySpreadConstraints', 'topologyKey', 'merge'],
    ['io.k8s.api.core.v1.PodSpec.schedulingGates', 'name', 'merge'],
    ['io.k8s.api.core.v1.PodSpec.resourceClaims', 'name', 'merge,retainKeys'],
    ['io.k8s.api.core.v1.PodStatus.conditions', 'type', 'merge'],
    ['io.k8s.api.apps.v1.DeploymentStatus.conditions', 'type', 'merge'],
    ['io.k8s.api.core.v1.NodeStatus.addresses', 'type', 'merge'],
    ['io.k8s.api.core.v1.ServiceAccount.secrets', 'name', 'merge'],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.ownerReferences', 'uid', 'merge'],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.finalizers', undefined, 'merge'],
    ['io.k8s.api.core.v1.NodeSpec.podCIDRs', undefined, 'merge'],
    ['io.k8s.api.apps.v1.DeploymentSpec.strategy', undefined, 'retainKeys'],
  ];
  for (const [key, mergeKey, strategy] of want) {
    assert.equal(FIELD_META[key]?.mergeKey, mergeKey, key);
    assert.equal(FIELD_META[key]?.strategy, strategy, key);
  }
});

test('definitions.json is what the generator makes from the table (run scripts/gen-schemas.ts)', () => {
  const generated = generateDefinitions();
  const committed = readFileSync(new URL('./definitions.json', import.meta.url), 'utf8');
  assert.ok(generated.json === committed, 'definitions.json is stale: run node scripts/gen-schemas.ts');
  // Only entries for fields newer than the installed kubernetes-types may go unused.
  const defs = allDefinitions() as Record<string, { properties?: Record<string, Record<string, unknown>> }>;
  for (const key of generated.unusedMeta) {
    const dot = key.lastIndexOf('.');
    assert.equal(defs[key.slice(0, dot)]?.properties?.[key.slice(dot + 1)], undefined, key);
  }
  for (const [key, meta] of Object.entries(FIELD_META)) {
    if (generated.unusedMeta.includes(key)) continue;
    const dot = key.lastIndexOf('.');
    const prop = defs[key.slice(0, dot)]?.properties?.[key.slice(dot + 1)];
    assert.ok(prop, key);
    if (meta.mergeKey) assert.equal(prop['x-kubernetes-patch-merge-key'], meta.mergeKey, key);
    if (meta.strategy) assert.equal(prop['x-kubernetes-patch-strategy'], meta.strategy, key);
  }
  for (const name of ATOMIC_STRUCTS) {
    if (generated.missingAtomic.includes(name)) continue;
    assert.equal((defs[name] as Record<string, unknown>)['x-kubernetes-map-type'], 'atomic', name);
  }
});
