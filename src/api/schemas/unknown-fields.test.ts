import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findUnknownFields, strictDecodingMessage, unknownFieldMessage } from './unknown-fields.ts';

const pod = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { 'any-key': 'v' }, annotations: { 'x/y': 'z' } },
  spec,
  ...extra,
});

const deployment = (podSpec: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'd' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: { metadata: { labels: { app: 'd' } }, spec: podSpec },
    ...spec,
  },
});

test('unknown fields: paths in upstream strict-decoding form', () => {
  const c = { name: 'c', image: 'busybox' };
  const cases: [name: string, gvk: [string, string, string], obj: unknown, want: string[]][] = [
    ['valid pod', ['', 'v1', 'Pod'], pod({ containers: [c] }), []],
    [
      'typo in a container',
      ['', 'v1', 'Pod'],
      pod({ containers: [c, { ...c, name: 'd', imagePullPolicyy: 'Always' }] }),
      ['spec.containers[1].imagePullPolicyy'],
    ],
    ['top-level field', ['', 'v1', 'Pod'], pod({ containers: [c] }, { foo: 1 }), ['foo']],
    [
      'metadata field',
      ['', 'v1', 'Pod'],
      { ...pod({ containers: [c] }), metadata: { name: 'p', nme: 'x' } },
      ['metadata.nme'],
    ],
    [
      'several, in document order',
      ['', 'v1', 'Pod'],
      pod({ zzz: 1, containers: [{ ...c, ports: [{ containerPort: 80, hostPrt: 1 }] }], aaa: 2 }),
      ['spec.zzz', 'spec.containers[0].ports[0].hostPrt', 'spec.aaa'],
    ],
    [
      'quantities, int-or-string, maps of anything',
      ['', 'v1', 'Pod'],
      pod({
        containers: [
          {
            ...c,
            resources: { limits: { cpu: '1', memory: 128 }, requests: { 'example.com/gpu': '1' } },
            livenessProbe: { httpGet: { port: 'http', path: '/' } },
            readinessProbe: { tcpSocket: { port: 8080 } },
          },
        ],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
      }),
      [],
    ],
    [
      'deployment template',
      ['apps', 'v1', 'Deployment'],
      deployment({ containers: [{ ...c, ports: [{ containerPortZ: 8080 }] }] }),
      ['spec.template.spec.containers[0].ports[0].containerPortZ'],
    ],
    [
      'deployment spec',
      ['apps', 'v1', 'Deployment'],
      deployment({ containers: [c] }, { replica: 3 }),
      ['spec.replica'],
    ],
    [
      'strategy union member misspelled',
      ['apps', 'v1', 'Deployment'],
      deployment({ containers: [c] }, { strategy: { rollingUpdates: {} } }),
      ['spec.strategy.rollingUpdates'],
    ],
    ['null values are fine', ['', 'v1', 'Pod'], pod({ containers: [c], affinity: null }), []],
    [
      'wrong types are not unknown fields',
      ['', 'v1', 'Pod'],
      pod({ containers: 'x', volumes: [1, 'a'] }),
      [],
    ],
    [
      'cluster-scoped kind',
      ['', 'v1', 'Namespace'],
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'n' },
        spec: { finalizers: ['kubernetes'], final: 1 },
      },
      ['spec.final'],
    ],
    [
      'configmap data is a map',
      ['', 'v1', 'ConfigMap'],
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { anything: 'goes' }, datta: {} },
      ['datta'],
    ],
    [
      'free-form RawExtension and FieldsV1',
      ['apps', 'v1', 'ControllerRevision'],
      {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: { name: 'r', managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:x': {} } } }] },
        revision: 1,
        data: { spec: { whatever: { deep: [1, { x: 2 }] } } },
      },
      [],
    ],
    [
      'CRD schema with preserve-unknown-fields and int-or-string extensions',
      ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'],
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          names: { plural: 'widgets', kind: 'Widget' },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  'x-kubernetes-preserve-unknown-fields': true,
                  properties: { spec: { 'x-kubernetes-int-or-string': true, anything: { goes: 1 } } },
                },
              },
            },
          ],
          scop: 'x',
        },
      },
      // JSONSchemaProps is a struct: only its own keywords are known, at any depth.
      ['spec.versions[0].schema.openAPIV3Schema.properties.spec.anything', 'spec.scop'],
    ],
    ['kind without a schema', ['example.com', 'v1', 'Widget'], { spec: { anything: 1 } }, []],
    ['not an object', ['', 'v1', 'Pod'], 'x', []],
  ];
  for (const [name, [g, v, k], obj, want] of cases) {
    assert.deepEqual(findUnknownFields(g, v, k, obj), want, name);
  }
});

test('strict decoding messages in upstream wording', () => {
  assert.equal(unknownFieldMessage('spec.containers[0].imagee'), 'unknown field "spec.containers[0].imagee"');
  assert.equal(
    strictDecodingMessage(['spec.replica', 'spec.containers[1].x']),
    'strict decoding error: unknown field "spec.replica", unknown field "spec.containers[1].x"',
  );
});
