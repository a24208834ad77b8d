// Real kubectl (the dispatcher → kubectl.1.32, and the versioned 1.29 binary) against a real skiff
// server process: the acceptance flows of the API server issue.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { kubectlBinary, type Skiff, startSkiff } from './harness.ts';

let s: Skiff;
const k = async (args: string[], input?: string) => {
  const r = await s.kubectl(args, { input });
  if (r.code !== 0)
    assert.fail(
      `kubectl ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}\n--- server:\n${s.logs().slice(-3000)}`,
    );
  return r.stdout;
};
const kFail = async (args: string[], input?: string) => {
  const r = await s.kubectl(args, { input });
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail\n${r.stdout}`);
  return r.stderr;
};

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  labels: {tier: config}
data: {color: blue}
`;

before(async () => {
  s = await startSkiff();
});
after(async () => {
  await s?.stop();
});

describe('kubectl 1.32 (via the dispatcher)', () => {
  test('version reports minor 32 and the dispatcher runs kubectl 1.32', async () => {
    const v = JSON.parse(await k(['version', '-o', 'json']));
    assert.equal(v.serverVersion.major, '1');
    assert.equal(v.serverVersion.minor, '32');
    assert.match(v.clientVersion.gitVersion, /^v1\.32\./);
  });

  test('api-resources lists kinds with short names', async () => {
    const out = await k(['api-resources']);
    assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  });

  test('create -f with default validation, then apply -f of the same file', async () => {
    const out = await k(['create', '-f', '-'], MANIFEST);
    assert.match(out, /namespace\/shop created/);
    assert.match(out, /deployment.apps\/web created/);
    assert.match(out, /service\/web created/);
    const again = await kFail(['create', '-f', '-'], MANIFEST);
    assert.match(again, /AlreadyExists/);
    const applied = await k(['apply', '-f', '-'], MANIFEST.replace('name: extra', 'name: extra'));
    assert.match(applied, /configmap\/settings (configured|unchanged)/);
  });

  test('strict validation rejects unknown fields', async () => {
    const bad = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo, namespace: shop}\ndataa: {a: b}\n';
    const err = await kFail(['create', '-f', '-'], bad);
    assert.match(err, /unknown field "dataa"/);
  });

  test('get prints upstream Table columns, -o wide, -A, -l, --field-selector, -o yaml', async () => {
    const deploy = await k(['get', 'deploy', '-n', 'shop']);
    assert.match(deploy, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    // The Deployment controller may already have made the ReplicaSet (UP-TO-DATE 2); no node runs pods.
    assert.match(deploy, /^web\s+0\/2\s+[02]\s+0\s+\d+s$/m);
    const svc = await k(['get', 'svc', '-n', 'shop', '-o', 'wide']);
    assert.match(svc, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR$/m);
    assert.match(svc, /^web\s+NodePort\s+10\.43\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+\S+\s+app=web$/m);
    const all = await k(['get', 'configmaps', '-A']);
    assert.match(all, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    assert.match(all, /^shop\s+settings\s+1\s+/m);
    const byLabel = await k(['get', 'cm', '-n', 'shop', '-l', 'tier in (config,other)', '-o', 'name']);
    assert.equal(byLabel.trim(), 'configmap/settings');
    // `!=` also selects objects without the label: only the root-CA publisher's ConfigMap.
    const none = await k(['get', 'cm', '-n', 'shop', '-l', 'tier!=config', '-o', 'name']);
    assert.equal(none.trim(), 'configmap/kube-root-ca.crt');
    const byField = await k(['get', 'ns', '--field-selector', 'metadata.name=shop', '-o', 'name']);
    assert.equal(byField.trim(), 'namespace/shop');
    const yaml = await k(['get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml']);
    assert.match(yaml, /maxSurge: 25%/);
    assert.match(yaml, /generation: 1/);
    assert.match(yaml, /uid: [0-9a-f-]{36}/);
  });

  test('describe shows the object and its events section', async () => {
    const out = await k(['describe', 'cm', 'settings', '-n', 'shop']);
    assert.match(out, /Name:\s+settings/);
    assert.match(out, /color:/);
  });

  test('label, annotate, patch --type=merge and --type=json', async () => {
    await k(['label', 'cm', 'settings', '-n', 'shop', 'env=prod']);
    await k(['annotate', 'cm', 'settings', '-n', 'shop', 'owner=team-a']);
    await k(['patch', 'cm', 'settings', '-n', 'shop', '--type=merge', '-p', '{"data":{"size":"L"}}']);
    await k([
      'patch',
      'cm',
      'settings',
      '-n',
      'shop',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/data/color","value":"red"}]',
    ]);
    const cm = JSON.parse(await k(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json']));
    assert.equal(cm.metadata.labels.env, 'prod');
    assert.equal(cm.metadata.annotations.owner, 'team-a');
    assert.deepEqual(cm.data, { color: 'red', size: 'L' });
    await k(['label', 'cm', 'settings', '-n', 'shop', 'env-']);
    const after = JSON.parse(await k(['get', 'cm', 'settings', '-n', 'shop', '-o', 'json']));
    assert.equal(after.metadata.labels.env, undefined);
  });

  test('scale goes through the scale subresource and bumps generation', async () => {
    await k(['scale', 'deploy', 'web', '-n', 'shop', '--replicas=4']);
    const d = JSON.parse(await k(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    assert.equal(d.spec.replicas, 4);
    assert.equal(d.metadata.generation, 2);
  });

  test('create namespace/configmap/secret/deployment (protobuf bodies in 1.32)', async () => {
    await k(['create', 'namespace', 'proto']);
    await k(['create', 'configmap', 'c1', '-n', 'proto', '--from-literal=a=b']);
    await k(['create', 'secret', 'generic', 's1', '-n', 'proto', '--from-literal=pw=hunter2']);
    await k(['create', 'deployment', 'd1', '-n', 'proto', '--image=busybox:1.36', '--replicas=3']);
    const cm = JSON.parse(await k(['get', 'cm', 'c1', '-n', 'proto', '-o', 'json']));
    assert.deepEqual(cm.data, { a: 'b' });
    assert.equal(cm.metadata.generateName, undefined);
    const sec = JSON.parse(await k(['get', 'secret', 's1', '-n', 'proto', '-o', 'json']));
    assert.equal(Buffer.from(sec.data.pw, 'base64').toString(), 'hunter2');
    assert.equal(sec.type, 'Opaque');
    const d = JSON.parse(await k(['get', 'deploy', 'd1', '-n', 'proto', '-o', 'json']));
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.spec.template.spec.containers[0].image, 'busybox:1.36');
  });

  test('get -w streams changes as they happen', async () => {
    const w = spawn(
      kubectlBinary(),
      ['--kubeconfig', s.kubeconfig, 'get', 'cm', '-n', 'shop', '-w', '--output-watch-events'],
      {
        env: { ...process.env, HOME: s.dataDir },
      },
    );
    let out = '';
    w.stdout.on('data', (d) => {
      out += d;
    });
    try {
      await waitFor(
        () => /settings/.test(out),
        10_000,
        () => out,
      );
      await k(['create', 'cm', 'watched', '-n', 'shop', '--from-literal=x=y']);
      await waitFor(
        () => /ADDED\s+watched/.test(out),
        10_000,
        () => out,
      );
      await k(['delete', 'cm', 'watched', '-n', 'shop']);
      await waitFor(
        () => /DELETED\s+watched/.test(out),
        10_000,
        () => out,
      );
    } finally {
      w.kill('SIGKILL');
    }
  });

  test('delete waits for a finalizer-held object; wait --for=delete returns when it goes', async () => {
    await k(
      ['create', '-f', '-'],
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: shop, finalizers: [example.com/hold]}\n',
    );
    await k(['delete', 'cm', 'held', '-n', 'shop', '--wait=false']);
    const held = JSON.parse(await k(['get', 'cm', 'held', '-n', 'shop', '-o', 'json']));
    assert.ok(held.metadata.deletionTimestamp, 'marked for deletion, not gone');
    const waiting = s.kubectl(['wait', '--for=delete', 'cm/held', '-n', 'shop', '--timeout=30s']);
    await new Promise((r) => setTimeout(r, 500));
    await k(['patch', 'cm', 'held', '-n', 'shop', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    const gone = await kFail(['get', 'cm', 'held', '-n', 'shop']);
    assert.match(gone, /NotFound.*configmaps "held" not found/);
  });

  test('wait --for=condition reads status conditions', async () => {
    await k(
      ['create', '-f', '-'],
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p1, namespace: shop}\nspec:\n  containers: [{name: c, image: busybox}]\n',
    );
    const waiting = s.kubectl(['wait', '--for=condition=Ready', 'pod/p1', '-n', 'shop', '--timeout=30s']);
    await new Promise((r) => setTimeout(r, 500));
    await k([
      'patch',
      'pod',
      'p1',
      '-n',
      'shop',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}',
    ]);
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pod\/p1 condition met/);
  });

  test('delete --wait of a plain object and of a namespace-less name that does not exist', async () => {
    const out = await k(['delete', 'cm', 'settings', '-n', 'shop']);
    assert.match(out, /configmap "settings" deleted/);
    const err = await kFail(['delete', 'cm', 'nope', '-n', 'shop']);
    assert.match(err, /NotFound/);
  });

  test('get events lists events with upstream columns', async () => {
    await k(
      ['create', '-f', '-'],
      `apiVersion: v1
kind: Event
metadata: {name: e1, namespace: shop}
involvedObject: {kind: Pod, name: p1, namespace: shop}
reason: Testing
message: hello from the test
type: Normal
`,
    );
    const out = await k(['get', 'events', '-n', 'shop']);
    assert.match(out, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    assert.match(out, /Normal\s+Testing\s+pod\/p1\s+hello from the test/);
  });

  test('explain uses the OpenAPI v3 schemas', async () => {
    const out = await k(['explain', 'deployment.spec.strategy']);
    assert.match(out, /KIND:\s+Deployment/);
    assert.match(out, /rollingUpdate/);
  });

  test('errors read like upstream', async () => {
    const nf = await kFail(['get', 'pod', 'nope', '-n', 'shop']);
    assert.match(nf, /Error from server \(NotFound\): pods "nope" not found/);
    const inv = await kFail(
      ['create', '-f', '-'],
      'apiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: shop}\nspec:\n  containers: [{name: c}]\n',
    );
    assert.match(inv, /The Pod "bad" is invalid: spec.containers\[0\].image: Required value/);
  });
});

describe('kubectl 1.29 (versioned binary)', () => {
  const k29 = async (args: string[], input?: string) => {
    const r = await s.kubectl(args, { input, binary: kubectlBinary(29) });
    if (r.code !== 0)
      assert.fail(`kubectl.1.29 ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  test('discovery (v2beta1), create -f with validation, get Table, label, delete', async () => {
    const v = JSON.parse(await k29(['version', '-o', 'json']));
    assert.match(v.clientVersion.gitVersion, /^v1\.29\./);
    const out = await k29(
      ['create', '-f', '-'],
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: default}\ndata: {a: b}\n',
    );
    assert.match(out, /configmap\/old created/);
    const t = await k29(['get', 'cm', 'old']);
    assert.match(t, /^old\s+1\s+\d+s$/m);
    await k29(['label', 'cm', 'old', 'v=29']);
    const ns = await k29(['get', 'ns']);
    assert.match(ns, /^kube-system\s+Active\s+/m);
    await k29(['delete', 'cm', 'old']);
  });

  test('autoscale: an HPA made through one autoscaling version reads the same through the other', async () => {
    await k29(['create', 'deployment', 'scaled', '--image=nginx:1.25']);
    await k29(['autoscale', 'deployment', 'scaled', '--min=1', '--max=4', '--cpu-percent=70']);
    const v1 = await k29([
      'get',
      'horizontalpodautoscalers.v1.autoscaling',
      'scaled',
      '-o',
      'jsonpath={.spec.targetCPUUtilizationPercentage}',
    ]);
    assert.equal(v1, '70');
    const v2 = await k([
      'get',
      'horizontalpodautoscalers.v2.autoscaling',
      'scaled',
      '-o',
      'jsonpath={.spec.metrics[0].resource.target.averageUtilization}',
    ]);
    assert.equal(v2, '70');
    const table = await k(['get', 'hpa', 'scaled']);
    assert.match(table, /^scaled\s+Deployment\/scaled\s+cpu: <unknown>\/70%\s+1\s+4\s+0\s+\d+s$/m);
    await k([
      'patch',
      'horizontalpodautoscalers.v1.autoscaling',
      'scaled',
      '--type=merge',
      '-p',
      '{"spec":{"maxReplicas":6}}',
    ]);
    assert.equal(await k(['get', 'hpa', 'scaled', '-o', 'jsonpath={.spec.maxReplicas}']), '6');
    await k(['delete', 'hpa', 'scaled']);
    await k(['delete', 'deployment', 'scaled']);
  });
});

async function waitFor(cond: () => boolean, ms: number, show: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out; output so far:\n${show()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
