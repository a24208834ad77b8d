// Validation per kind: valid objects pass; invalid ones fail with upstream's field paths and
// messages (`field: detail`, as kubectl prints them after `... is invalid:`).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KObject } from '../object.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/index.ts';
import { findKind } from './index.ts';

const UID = '6f1a0c1e-0000-4000-8000-000000000001';
const meta = (name: string, extra: KObject = {}): KObject => ({ name, namespace: 'ns', uid: UID, ...extra });
const clusterMeta = (name: string): KObject => ({ name, uid: UID });
const template = (labels: Record<string, string> = { app: 'web' }, spec: KObject = {}): KObject => ({
  metadata: { labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...spec },
});

/** Default, then validate as the registry does (create; update when `old` is given). */
function errorsOf(group: string, plural: string, obj: KObject, old?: KObject): string[] {
  const kind = findKind(group, plural);
  assert.ok(kind, `${group}/${plural} is served`);
  const o = structuredClone(obj);
  kind.defaults(o);
  const errs = [...validateObjectMeta(o, kind), ...kind.validate(o)];
  if (old) {
    const prev = structuredClone(old);
    kind.defaults(prev);
    errs.push(...validateObjectMetaUpdate(o, prev), ...kind.validateUpdate(o, prev));
  }
  return errs.map((e) => `${e.field}: ${e.detail}`);
}

interface Case {
  name: string;
  group?: string;
  plural: string;
  obj: KObject;
  old?: KObject;
  /** Exact error list; [] for a valid object. */
  want?: string[];
  /** Or: errors that must be among them. */
  includes?: string[];
}

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const POD_FIELDS =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';
const POD = (spec: KObject, name = 'p'): KObject => ({
  metadata: meta(name),
  spec,
  status: { phase: 'Pending' },
});
const DEPLOY = (spec: KObject): KObject => ({ metadata: meta('d'), spec });

const CASES: Case[] = [
  // --- metadata (every kind) -------------------------------------------------------------------
  {
    name: 'a bad name, quoted as upstream',
    plural: 'configmaps',
    obj: { metadata: meta('Bad_Name') },
    want: [`metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`],
  },
  {
    name: 'a name too long',
    plural: 'configmaps',
    obj: { metadata: meta('a'.repeat(300)) },
    want: [`metadata.name: Invalid value: "${'a'.repeat(300)}": must be no more than 253 characters`],
  },
  {
    name: 'no name',
    plural: 'configmaps',
    obj: { metadata: { namespace: 'ns' } },
    want: ['metadata.name: Required value: name or generateName is required'],
  },
  {
    name: 'generateName may end in a dash; a bad one is reported',
    plural: 'configmaps',
    obj: { metadata: meta('x-abcde', { generateName: 'X_' }) },
    want: [`metadata.generateName: Invalid value: "X_": ${SUBDOMAIN}`],
  },
  {
    name: 'namespaced kinds need a namespace',
    plural: 'configmaps',
    obj: { metadata: { name: 'c' } },
    want: ['metadata.namespace: Required value'],
  },
  {
    name: 'cluster-scoped kinds have none',
    plural: 'nodes',
    obj: { metadata: { name: 'n', namespace: 'ns' } },
    want: ['metadata.namespace: Forbidden: not allowed on this type'],
  },
  {
    name: 'label key and value',
    plural: 'configmaps',
    obj: { metadata: meta('c', { labels: { 'bad key': 'ok', good: 'not valid!' } }) },
    want: [
      "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "metadata.labels: Invalid value: \"not valid!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  },
  {
    name: 'annotations: keys ignore case, the total is bounded',
    plural: 'configmaps',
    obj: { metadata: meta('c', { annotations: { 'Example.COM/Key': 'v', big: 'x'.repeat(256 * 1024) } }) },
    want: ['metadata.annotations: Too long: may not be more than 262144 bytes'],
  },
  {
    name: 'owner references',
    plural: 'configmaps',
    obj: {
      metadata: meta('c', {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: 'u1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: 'u2', controller: true },
          { apiVersion: '', kind: '', name: '', uid: '' },
        ],
      }),
    },
    includes: [
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ],
  },
  {
    name: 'finalizers: qualified names, not orphan and foreground together',
    plural: 'configmaps',
    obj: { metadata: meta('c', { finalizers: ['example.com/ok', 'orphan', 'foregroundDeletion'] }) },
    want: [
      'metadata.finalizers: Invalid value: []string{"example.com/ok", "orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
    ],
  },
  {
    name: 'no finalizers may be added while deleting',
    plural: 'configmaps',
    obj: {
      metadata: meta('c', { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['a.io/x', 'b.io/y'] }),
    },
    old: { metadata: meta('c', { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['a.io/x'] }) },
    want: [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
    ],
  },
  {
    name: 'immutable metadata',
    plural: 'configmaps',
    obj: { metadata: meta('c', { uid: 'other', generation: 1 }) },
    old: { metadata: meta('c', { generation: 2 }) },
    want: [
      'metadata.generation: Invalid value: 1: must not be decremented',
      'metadata.uid: Invalid value: "other": field is immutable',
    ],
  },
  // --- ConfigMap / Secret --------------------------------------------------------------------------
  {
    name: 'valid config map',
    plural: 'configmaps',
    obj: { metadata: meta('c'), data: { 'app.properties': 'x=1' } },
    want: [],
  },
  {
    name: 'config map keys',
    plural: 'configmaps',
    obj: { metadata: meta('c'), data: { 'bad key!': 'x', dup: 'a' }, binaryData: { dup: 'AA==' } },
    want: [
      "data[bad key!]: Invalid value: \"bad key!\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      'data[dup]: Invalid value: "dup": duplicate of key present in binaryData',
      'binaryData[dup]: Invalid value: "dup": duplicate of key present in data',
    ],
  },
  {
    name: 'config map over 1 MiB',
    plural: 'configmaps',
    obj: { metadata: meta('c'), data: { a: 'x'.repeat(1024 * 1024), b: 'y' } },
    want: [': Too long: may not be more than 1048576 bytes'],
  },
  {
    name: 'an immutable config map keeps its data',
    plural: 'configmaps',
    obj: { metadata: meta('c'), immutable: true, data: { a: '2' } },
    old: { metadata: meta('c'), immutable: true, data: { a: '1' } },
    want: ['data: Forbidden: field is immutable when `immutable` is set'],
  },
  {
    name: 'valid secret',
    plural: 'secrets',
    obj: { metadata: meta('s'), data: { pw: 'aHVudGVyMg==' } },
    want: [],
  },
  {
    name: 'secret data must be base64',
    plural: 'secrets',
    obj: { metadata: meta('s'), data: { pw: 'not base64!' } },
    want: ['data[pw]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3'],
  },
  {
    name: 'TLS secrets need their keys',
    plural: 'secrets',
    obj: { metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==' } },
    want: ['data[tls.key]: Required value'],
  },
  {
    name: 'a secret keeps its type',
    plural: 'secrets',
    obj: { metadata: meta('s'), type: 'kubernetes.io/basic-auth', data: { username: 'YQ==' } },
    old: { metadata: meta('s'), type: 'Opaque' },
    want: ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable'],
  },
  // --- Pod ---------------------------------------------------------------------------------------
  {
    name: 'valid pod',
    plural: 'pods',
    obj: POD({ containers: [{ name: 'c', image: 'busybox' }] }),
    want: [],
  },
  {
    name: 'pod without containers',
    plural: 'pods',
    obj: POD({ containers: [] }),
    want: ['spec.containers: Required value'],
  },
  {
    name: 'container without image',
    plural: 'pods',
    obj: POD({ containers: [{ name: 'c' }] }),
    want: ['spec.containers[0].image: Required value'],
  },
  {
    name: 'restart and DNS policies',
    plural: 'pods',
    obj: POD({ restartPolicy: 'Sometimes', dnsPolicy: 'Magic', containers: [{ name: 'c', image: 'i' }] }),
    want: [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Magic": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"',
    ],
  },
  {
    name: 'container names unique DNS labels, across init containers too',
    plural: 'pods',
    obj: POD({
      initContainers: [{ name: 'a', image: 'i' }],
      containers: [
        { name: 'a', image: 'i' },
        { name: 'a', image: 'i' },
        { name: 'B', image: 'i' },
      ],
    }),
    want: [
      'spec.containers[1].name: Duplicate value: "a"',
      `spec.containers[2].name: Invalid value: "B": ${LABEL}`,
      'spec.initContainers[0].name: Duplicate value: "a"',
    ],
  },
  {
    name: 'ports and env',
    plural: 'pods',
    obj: POD({
      containers: [
        {
          name: 'c',
          image: 'i',
          ports: [
            { containerPort: 70000, name: 'http' },
            { containerPort: 80, name: 'http', protocol: 'ICMP' },
          ],
          env: [
            { name: '1BAD' },
            { name: 'X', value: 'v', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          ],
        },
      ],
    }),
    want: [
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].name: Duplicate value: "http"',
      'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      "spec.containers[0].env[0].name: Invalid value: \"1BAD\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
      'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    ],
  },
  {
    name: 'volumes and mounts',
    plural: 'pods',
    obj: POD({
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 'v', configMap: { name: 'c' } },
        { name: 'w', emptyDir: {}, hostPath: { path: '/x' } },
      ],
      containers: [
        {
          name: 'c',
          image: 'i',
          volumeMounts: [
            { name: 'missing', mountPath: '/a' },
            { name: 'v', mountPath: '/a' },
          ],
        },
      ],
    }),
    want: [
      'spec.volumes[1].name: Duplicate value: "v"',
      'spec.volumes[2].emptyDir: Forbidden: may not specify more than 1 volume type',
      'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
    ],
  },
  {
    name: 'requests may not exceed limits',
    plural: 'pods',
    obj: POD({
      containers: [
        {
          name: 'c',
          image: 'i',
          resources: { requests: { cpu: '2', memory: 'lots' }, limits: { cpu: '1' } },
        },
      ],
    }),
    want: [
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      'spec.containers[0].resources.requests[memory]: Invalid value: "lots": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
    ],
  },
  {
    name: 'tolerations and probes',
    plural: 'pods',
    obj: POD({
      tolerations: [
        { operator: 'Equal', value: 'x' },
        { key: 'k', effect: 'Sometimes' },
      ],
      containers: [
        {
          name: 'c',
          image: 'i',
          livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 },
          readinessProbe: {},
        },
      ],
    }),
    want: [
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[0].readinessProbe: Required value: must specify a handler type',
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      'spec.tolerations[1].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
  },
  {
    name: 'pod update: the image may change',
    plural: 'pods',
    obj: POD({ containers: [{ name: 'c', image: 'busybox:2' }] }),
    old: POD({ containers: [{ name: 'c', image: 'busybox:1' }] }),
    want: [],
  },
  {
    name: 'pod update: other spec fields may not',
    plural: 'pods',
    obj: POD({ restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] }),
    old: POD({ containers: [{ name: 'c', image: 'i' }] }),
    want: [
      `spec: Forbidden: ${POD_FIELDS}\n  core.PodSpec{\n- \tRestartPolicy: "Always",\n+ \tRestartPolicy: "Never",\n  }`,
    ],
  },
  {
    name: 'pod update: containers may not be added',
    plural: 'pods',
    obj: POD({
      containers: [
        { name: 'c', image: 'i' },
        { name: 'd', image: 'i' },
      ],
    }),
    old: POD({ containers: [{ name: 'c', image: 'i' }] }),
    want: ['spec.containers: Forbidden: pod updates may not add or remove containers'],
  },
  {
    name: 'pod update: tolerations only grow, deadlines only shrink',
    plural: 'pods',
    obj: POD({
      activeDeadlineSeconds: 60,
      containers: [{ name: 'c', image: 'i' }],
      tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }],
    }),
    old: POD({
      activeDeadlineSeconds: 30,
      containers: [{ name: 'c', image: 'i' }],
      tolerations: [{ key: 'b', operator: 'Exists' }],
    }),
    want: ['spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value'],
  },
  // --- Service -----------------------------------------------------------------------------------
  {
    name: 'valid service',
    plural: 'services',
    obj: { metadata: meta('web'), spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    want: [],
  },
  {
    name: 'service type, ports, names',
    plural: 'services',
    obj: {
      metadata: meta('1web'),
      spec: { type: 'Magic', ports: [{ port: 80 }, { port: 0, name: 'b', targetPort: 'Bad Name' }] },
    },
    want: [
      "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'spec.ports[0].name: Required value',
      'spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[1].targetPort: Invalid value: "Bad Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ],
  },
  {
    name: 'a service needs ports',
    plural: 'services',
    obj: { metadata: meta('s'), spec: {} },
    want: ['spec.ports: Required value'],
  },
  {
    name: 'a headless service does not',
    plural: 'services',
    obj: { metadata: meta('s'), spec: { clusterIP: 'None' } },
    want: [],
  },
  {
    name: 'external name services name a host',
    plural: 'services',
    obj: { metadata: meta('s'), spec: { type: 'ExternalName' } },
    want: ['spec.externalName: Required value'],
  },
  {
    name: 'the cluster IP may not change',
    plural: 'services',
    obj: {
      metadata: meta('s'),
      spec: { clusterIP: '10.43.0.9', clusterIPs: ['10.43.0.9'], ports: [{ port: 80 }] },
    },
    old: {
      metadata: meta('s'),
      spec: { clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'], ports: [{ port: 80 }] },
    },
    want: ['spec.clusterIPs[0]: Invalid value: []string{"10.43.0.9"}: may not change once set'],
  },
  // --- Namespace / Node / Event ---------------------------------------------------------------
  { name: 'valid namespace', plural: 'namespaces', obj: { metadata: clusterMeta('shop') }, want: [] },
  {
    name: 'namespace names are DNS labels; spec finalizers standard or qualified',
    plural: 'namespaces',
    obj: { metadata: clusterMeta('a.b'), spec: { finalizers: ['custom'] } },
    want: [
      'metadata.name: Invalid value: "a.b": must not contain dots',
      'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ],
  },
  {
    name: 'node taints',
    plural: 'nodes',
    obj: {
      metadata: clusterMeta('n'),
      spec: {
        taints: [
          { key: 'a', effect: 'Never' },
          { key: 'b', value: 'x y', effect: 'NoSchedule' },
        ],
      },
    },
    want: [
      'spec.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      "spec.taints[1].value: Invalid value: \"x y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  },
  {
    name: 'a node keeps its pod CIDRs',
    plural: 'nodes',
    obj: { metadata: clusterMeta('n'), spec: { podCIDRs: ['10.42.1.0/24'] } },
    old: { metadata: clusterMeta('n'), spec: { podCIDRs: ['10.42.0.0/24'] } },
    want: ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid'],
  },
  {
    name: 'valid legacy event',
    plural: 'events',
    obj: {
      metadata: meta('e1'),
      involvedObject: { kind: 'Pod', name: 'p1', namespace: 'ns' },
      reason: 'Testing',
      message: 'hi',
      type: 'Normal',
    },
    want: [],
  },
  {
    name: 'event about another namespace',
    plural: 'events',
    obj: { metadata: meta('e1'), involvedObject: { kind: 'Pod', name: 'p1', namespace: 'other' } },
    want: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
  },
  {
    name: 'new-API event needs its time, controller and a known type',
    group: 'events.k8s.io',
    plural: 'events',
    obj: {
      metadata: meta('e2'),
      regarding: { kind: 'Pod', name: 'p', namespace: 'ns' },
      reason: 'R',
      type: 'Odd',
    },
    want: ['eventTime: Required value', 'type: Invalid value: "": has invalid value: Odd'],
  },
  // --- apps ----------------------------------------------------------------------------------------
  {
    name: 'valid deployment',
    group: 'apps',
    plural: 'deployments',
    obj: DEPLOY({ selector: { matchLabels: { app: 'web' } }, template: template() }),
    want: [],
  },
  {
    name: 'deployment selector not matching the template',
    group: 'apps',
    plural: 'deployments',
    obj: DEPLOY({ selector: { matchLabels: { a: 'b' } }, template: template({ a: 'c' }) }),
    want: [
      'spec.template.metadata.labels: Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: 'deployment without a selector',
    group: 'apps',
    plural: 'deployments',
    obj: DEPLOY({ template: template() }),
    want: [
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: 'deployment counts, restart policy and strategy',
    group: 'apps',
    plural: 'deployments',
    obj: DEPLOY({
      replicas: -1,
      selector: { matchLabels: { app: 'web' } },
      template: template({ app: 'web' }, { restartPolicy: 'Never' }),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
      minReadySeconds: 700,
    }),
    want: [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0',
      'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
    ],
  },
  {
    name: 'recreate deployments have no rolling update',
    group: 'apps',
    plural: 'deployments',
    obj: DEPLOY({
      selector: { matchLabels: { app: 'web' } },
      template: template(),
      strategy: { type: 'Recreate', rollingUpdate: {} },
    }),
    want: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  },
  {
    name: 'a deployment selector is immutable',
    group: 'apps',
    plural: 'deployments',
    obj: DEPLOY({
      selector: { matchLabels: { app: 'web', v: '2' } },
      template: template({ app: 'web', v: '2' }),
    }),
    old: DEPLOY({ selector: { matchLabels: { app: 'web' } }, template: template() }),
    want: [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ],
  },
  {
    name: 'replica set with an empty selector',
    group: 'apps',
    plural: 'replicasets',
    obj: { metadata: meta('r'), spec: { selector: {}, template: template() } },
    want: [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ],
  },
  {
    name: 'stateful set: only some spec fields change',
    group: 'apps',
    plural: 'statefulsets',
    obj: {
      metadata: meta('s'),
      spec: {
        serviceName: 'b',
        replicas: 5,
        selector: { matchLabels: { app: 'web' } },
        template: template(),
      },
    },
    old: {
      metadata: meta('s'),
      spec: { serviceName: 'a', selector: { matchLabels: { app: 'web' } }, template: template() },
    },
    want: [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ],
  },
  {
    name: 'daemon set strategy',
    group: 'apps',
    plural: 'daemonsets',
    obj: {
      metadata: meta('d'),
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: template(),
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '150%' } },
      },
    },
    want: ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 150%: must not be greater than 100%'],
  },
  // --- batch ---------------------------------------------------------------------------------------
  {
    name: 'valid job (selector generated)',
    group: 'batch',
    plural: 'jobs',
    obj: { metadata: meta('pi'), spec: { template: template({}, { restartPolicy: 'Never' }) } },
    want: [],
  },
  {
    name: 'jobs do not restart Always',
    group: 'batch',
    plural: 'jobs',
    obj: { metadata: meta('pi'), spec: { template: template() } },
    want: [
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ],
  },
  {
    name: 'a manual selector must be given',
    group: 'batch',
    plural: 'jobs',
    obj: {
      metadata: meta('pi'),
      spec: { manualSelector: true, template: template({}, { restartPolicy: 'Never' }) },
    },
    want: [
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{}: `selector` does not match template `labels`',
    ],
  },
  {
    name: 'indexed jobs need completions',
    group: 'batch',
    plural: 'jobs',
    obj: {
      metadata: meta('pi'),
      spec: { completionMode: 'Indexed', parallelism: 2, template: template({}, { restartPolicy: 'Never' }) },
    },
    want: ['spec.completions: Required value: when completion mode is Indexed'],
  },
  {
    name: "a running job's template is fixed",
    group: 'batch',
    plural: 'jobs',
    obj: {
      metadata: meta('pi'),
      spec: {
        template: {
          metadata: { labels: {} },
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'new' }] },
        },
      },
    },
    old: {
      metadata: meta('pi'),
      spec: {
        template: {
          metadata: { labels: {} },
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'old' }] },
        },
      },
    },
    includes: ['spec.template: Invalid value: '],
  },
  {
    name: 'valid cron job',
    group: 'batch',
    plural: 'cronjobs',
    obj: {
      metadata: meta('c'),
      spec: {
        schedule: '*/5 * * * *',
        timeZone: 'Europe/Berlin',
        jobTemplate: { spec: { template: template({}, { restartPolicy: 'OnFailure' }) } },
      },
    },
    want: [],
  },
  {
    name: 'cron job schedule, zone and name length',
    group: 'batch',
    plural: 'cronjobs',
    obj: {
      metadata: meta('c'.repeat(53)),
      spec: {
        schedule: '61 * * * *',
        timeZone: 'Mars/Olympus',
        jobTemplate: { spec: { template: template({}, { restartPolicy: 'OnFailure' }) } },
      },
    },
    want: [
      `metadata.name: Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`,
      'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    ],
  },
  {
    name: 'cron job without a schedule or job template',
    group: 'batch',
    plural: 'cronjobs',
    obj: { metadata: meta('c'), spec: {} },
    want: ['spec.schedule: Required value', 'spec.jobTemplate: Required value'],
  },
  // --- other groups --------------------------------------------------------------------------------
  {
    name: 'hpa replica bounds',
    group: 'autoscaling',
    plural: 'horizontalpodautoscalers',
    obj: {
      metadata: meta('h'),
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 5, maxReplicas: 2 },
    },
    want: ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`'],
  },
  {
    name: 'hpa target reference',
    group: 'autoscaling',
    plural: 'horizontalpodautoscalers',
    obj: { metadata: meta('h'), spec: { scaleTargetRef: { name: 'web' }, maxReplicas: 2 } },
    want: ['spec.scaleTargetRef.kind: Required value'],
  },
  {
    name: 'lease duration',
    group: 'coordination.k8s.io',
    plural: 'leases',
    obj: { metadata: meta('l'), spec: { leaseDurationSeconds: 0 } },
    want: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'],
  },
  {
    name: 'endpoint slice address type and addresses',
    group: 'discovery.k8s.io',
    plural: 'endpointslices',
    obj: {
      metadata: meta('e'),
      addressType: 'IPv4',
      endpoints: [{ addresses: ['fe80::1'] }, { addresses: [] }],
    },
    want: [
      'endpoints[0].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address',
      'endpoints[1].addresses: Required value: must contain at least 1 address',
    ],
  },
  {
    name: 'ingress needs rules or a default backend',
    group: 'networking.k8s.io',
    plural: 'ingresses',
    obj: { metadata: meta('i'), spec: {} },
    want: ['spec: Invalid value: null: either `defaultBackend` or `rules` must be specified'],
  },
  {
    name: 'ingress paths',
    group: 'networking.k8s.io',
    plural: 'ingresses',
    obj: {
      metadata: meta('i'),
      spec: {
        rules: [
          {
            host: '10.0.0.1',
            http: { paths: [{ path: 'api', pathType: 'Prefix', backend: { service: { name: 'web' } } }] },
          },
        ],
      },
    },
    want: [
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
      'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
    ],
  },
  {
    name: 'network policy peers',
    group: 'networking.k8s.io',
    plural: 'networkpolicies',
    obj: {
      metadata: meta('n'),
      spec: {
        podSelector: {},
        ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }],
      },
    },
    want: [
      'spec.ingress[0].from[0]: Required value: must specify a peer',
      'spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`',
    ],
  },
  {
    name: 'ingress class controller',
    group: 'networking.k8s.io',
    plural: 'ingressclasses',
    obj: { metadata: clusterMeta('i'), spec: { controller: 'nginx' } },
    want: ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
  },
  {
    name: 'pdb: one of minAvailable or maxUnavailable',
    group: 'policy',
    plural: 'poddisruptionbudgets',
    obj: { metadata: meta('p'), spec: { minAvailable: 1, maxUnavailable: '150%' } },
    includes: ['spec.maxUnavailable: Invalid value: 150%: must not be greater than 100%'],
  },
  {
    name: 'priority class values',
    group: 'scheduling.k8s.io',
    plural: 'priorityclasses',
    obj: { metadata: clusterMeta('huge'), value: 2_000_000_000 },
    want: ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'],
  },
  {
    name: 'system- priority classes are reserved',
    group: 'scheduling.k8s.io',
    plural: 'priorityclasses',
    obj: { metadata: clusterMeta('system-mine'), value: 5 },
    want: [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
    ],
  },
  {
    name: 'a priority class keeps its value',
    group: 'scheduling.k8s.io',
    plural: 'priorityclasses',
    obj: { metadata: clusterMeta('high'), value: 5 },
    old: { metadata: clusterMeta('high'), value: 4 },
    want: ['value: Invalid value: 5: field is immutable'],
  },
  {
    name: 'runtime class handler',
    group: 'node.k8s.io',
    plural: 'runtimeclasses',
    obj: { metadata: clusterMeta('r'), handler: 'Run_SC' },
    want: [`handler: Invalid value: "Run_SC": ${LABEL}`],
  },
  {
    name: 'storage class',
    group: 'storage.k8s.io',
    plural: 'storageclasses',
    obj: { metadata: clusterMeta('s'), reclaimPolicy: 'Recycle' },
    want: [
      'provisioner: Required value',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    ],
  },
  {
    name: 'storage class parameters are fixed',
    group: 'storage.k8s.io',
    plural: 'storageclasses',
    obj: { metadata: clusterMeta('s'), provisioner: 'a.io/p', parameters: { type: 'ssd' } },
    old: { metadata: clusterMeta('s'), provisioner: 'a.io/p', parameters: { type: 'hdd' } },
    want: ['parameters: Forbidden: updates to parameters are forbidden.'],
  },
  {
    name: 'role rules',
    group: 'rbac.authorization.k8s.io',
    plural: 'roles',
    obj: {
      metadata: meta('r'),
      rules: [
        { apiGroups: [''], resources: ['pods'] },
        { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      ],
    },
    want: [
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ],
  },
  {
    name: 'RBAC names are path segments',
    group: 'rbac.authorization.k8s.io',
    plural: 'clusterroles',
    obj: { metadata: clusterMeta('system:auth-delegator') },
    want: [],
  },
  {
    name: 'cluster role bindings bind cluster roles',
    group: 'rbac.authorization.k8s.io',
    plural: 'clusterrolebindings',
    obj: {
      metadata: clusterMeta('b'),
      roleRef: { kind: 'Role', name: 'r' },
      subjects: [
        { kind: 'ServiceAccount', name: 'ci' },
        { kind: 'Robot', name: 'x' },
      ],
    },
    want: [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
      'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ],
  },
  {
    name: 'a binding keeps its roleRef',
    group: 'rbac.authorization.k8s.io',
    plural: 'rolebindings',
    obj: { metadata: meta('b'), roleRef: { kind: 'ClusterRole', name: 'edit' } },
    old: { metadata: meta('b'), roleRef: { kind: 'ClusterRole', name: 'view' } },
    want: [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ],
  },
  // --- storage-ish core kinds, quota, limits ---------------------------------------------------
  {
    name: 'claim needs access modes and storage',
    plural: 'persistentvolumeclaims',
    obj: { metadata: meta('c'), spec: {} },
    want: [
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ],
  },
  {
    name: "a claim's spec is fixed",
    plural: 'persistentvolumeclaims',
    obj: {
      metadata: meta('c'),
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    },
    old: {
      metadata: meta('c'),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
    want: ['spec: Forbidden: spec is immutable after creation except resources.requests for bound claims'],
  },
  {
    name: 'volume capacity and source',
    plural: 'persistentvolumes',
    obj: { metadata: clusterMeta('v'), spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '0' } } },
    want: [
      'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
      'spec: Required value: must specify a volume type',
    ],
  },
  {
    name: 'replication controller selector',
    plural: 'replicationcontrollers',
    obj: { metadata: meta('rc'), spec: { selector: { app: 'db' }, template: template() } },
    want: [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: 'limit range bounds',
    plural: 'limitranges',
    obj: {
      metadata: meta('l'),
      spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }, { type: 'Thing' }] },
    },
    want: [
      'spec.limits[0].min[cpu]: Invalid value: 2: min value 2 is greater than max value 1',
      'spec.limits[0].defaultRequest[cpu]: Invalid value: 1: min value 2 is greater than default request value 1',
      'spec.limits[0].default[cpu]: Invalid value: 2: min value 2 is greater than default value 1',
      'spec.limits[1].type: Invalid value: "Thing": must be a standard limit type or fully qualified',
    ],
  },
  {
    name: 'quota values',
    plural: 'resourcequotas',
    obj: { metadata: meta('q'), spec: { hard: { pods: '-1', widgets: '3' } } },
    want: [
      'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0',
      'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource type or fully qualified',
    ],
  },
];

describe('validation: upstream messages and field paths', () => {
  for (const tc of CASES) {
    test(`${tc.plural}${tc.group ? `.${tc.group}` : ''}: ${tc.name}`, () => {
      const got = errorsOf(tc.group ?? '', tc.plural, tc.obj, tc.old);
      if (tc.want) assert.deepEqual(got, tc.want);
      for (const want of tc.includes ?? []) {
        assert.ok(
          got.some((g) => g.startsWith(want)),
          `expected an error starting ${JSON.stringify(want)} in ${JSON.stringify(got, null, 1)}`,
        );
      }
    });
  }
});
