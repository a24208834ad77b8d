import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { nodeAgentAddress, podNodeName, resolveContainer } from './agent-location.ts';

const pod = (containers: string[], extra: KObject = {}): KObject => ({
  metadata: { name: 'web', namespace: 'default', ...extra },
  spec: { containers: containers.map((name) => ({ name })), initContainers: [{ name: 'init' }] },
});

test('container resolution with upstream messages', () => {
  assert.equal(resolveContainer(pod(['main']), null), 'main');
  assert.equal(resolveContainer(pod(['a', 'b']), 'b'), 'b');
  assert.equal(resolveContainer(pod(['a', 'b']), 'init'), 'init');
  assert.throws(() => resolveContainer(pod(['main']), 'nope'), /container nope is not valid for pod web/);
  assert.throws(
    () => resolveContainer(pod(['a', 'b']), null),
    /a container name must be specified for pod web, choose one of: \[a b\]/,
  );
  const annotated = pod(['a', 'b'], { annotations: { 'kubectl.kubernetes.io/default-container': 'b' } });
  assert.equal(resolveContainer(annotated, null), 'b');
});

test('agent address: InternalIP before ExternalIP, kubelet port or 10250', () => {
  const node = (addresses: object[], port?: number): KObject => ({
    metadata: { name: 'n1' },
    status: { addresses, ...(port ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) },
  });
  assert.deepEqual(
    nodeAgentAddress(
      node(
        [
          { type: 'Hostname', address: 'n1' },
          { type: 'ExternalIP', address: '203.0.113.1' },
          { type: 'InternalIP', address: '10.0.0.5' },
        ],
        11250,
      ),
    ),
    { host: '10.0.0.5', port: 11250 },
  );
  assert.deepEqual(nodeAgentAddress(node([{ type: 'ExternalIP', address: '203.0.113.1' }])), {
    host: '203.0.113.1',
    port: 10250,
  });
  assert.throws(() => nodeAgentAddress(node([{ type: 'Hostname', address: 'n1' }])), /no address/);
});

test('an unscheduled pod has no host', () => {
  assert.throws(() => podNodeName(pod(['main'])), /pod web does not have a host assigned/);
});
