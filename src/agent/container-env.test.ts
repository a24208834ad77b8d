import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.d.ts';
import { buildEnv, type ConfigSource, ContainerConfigError, expandVars } from './container-env.ts';
import type { FieldContext } from './volumes/field-ref.ts';

const pod: Pod = {
  metadata: { name: 'web', namespace: 'ns1', uid: 'u-1', labels: { app: 'web' } },
  spec: { nodeName: 'n1', serviceAccountName: 'sa', containers: [] },
};
const ctx: FieldContext = {
  pod,
  nodeName: 'n1',
  podIPs: ['10.42.251.7'],
  hostIPs: ['192.0.2.1'],
  allocatable: { cpu: '2', memory: '4Gi' },
};

const cms: Record<string, ConfigMap> = { cfg: { data: { A: '1', B: 'two' } } };
const secrets: Record<string, Secret> = { s: { data: { PASS: Buffer.from('hunter2').toString('base64') } } };
const src: ConfigSource = {
  configMap: (ns, name) => (ns === 'ns1' ? cms[name] : undefined),
  secret: (ns, name) => (ns === 'ns1' ? secrets[name] : undefined),
};
const env = (c: Partial<Container>) =>
  Object.fromEntries(buildEnv({ name: 'app', ...c }, ctx, src).map((e) => [e.name, e.value]));

test('envFrom with prefix, env overrides, secrets decoded', () => {
  const e = env({
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'X_' }, { secretRef: { name: 's' } }],
    env: [
      { name: 'X_A', value: 'override' },
      { name: 'KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'B' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'PASS' } } },
    ],
  });
  assert.deepEqual(e, { X_A: 'override', X_B: 'two', PASS: 'hunter2', KEY: 'two', PW: 'hunter2' });
});

test('fieldRef and resourceFieldRef values', () => {
  const e = env({
    resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
    env: [
      { name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'L', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HIP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'CPU_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
    ],
  });
  assert.deepEqual(e, {
    N: 'web',
    NS: 'ns1',
    UID: 'u-1',
    L: 'web',
    NODE: 'n1',
    SA: 'sa',
    IP: '10.42.251.7',
    HIP: '192.0.2.1',
    MEM: '64',
    CPU_REQ: '250',
    CPU_LIM: '2',
  });
});

test('$(VAR) expansion uses earlier variables; $$ escapes', () => {
  assert.equal(expandVars('$(A)-$(B)-$$(A)', new Map([['A', 'x']])), 'x-$(B)-$(A)');
  const e = env({
    env: [
      { name: 'A', value: 'a' },
      { name: 'B', value: '$(A)/b' },
    ],
  });
  assert.equal(e.B, 'a/b');
});

test('missing ConfigMap/Secret/key → ContainerConfigError unless optional', () => {
  assert.throws(
    () => env({ envFrom: [{ configMapRef: { name: 'nope' } }] }),
    (err: unknown) =>
      err instanceof ContainerConfigError &&
      err.message === 'configmap "nope" not found' &&
      err.reason === 'CreateContainerConfigError',
  );
  assert.throws(
    () => env({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'nokey' } } }] }),
    {
      message: "couldn't find key nokey in Secret ns1/s",
    },
  );
  assert.throws(
    () => env({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] }),
    {
      message: 'secret "gone" not found',
    },
  );
  const e = env({
    envFrom: [{ secretRef: { name: 'gone', optional: true } }],
    env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'zz', optional: true } } }],
  });
  assert.deepEqual(e, {});
});
