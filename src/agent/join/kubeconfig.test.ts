import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKubeconfigText, resolveKubeconfig } from '../../client/kubeconfig.ts';
import { renderNodeKubeconfig } from './kubeconfig.ts';

test("the node kubeconfig is JSON that resolves to the node's credentials", () => {
  const text = renderNodeKubeconfig({
    server: 'https://10.0.0.1:6443',
    caPem: 'CA PEM',
    certPem: 'CERT PEM',
    keyPem: 'KEY PEM',
    nodeName: 'n1',
  });
  assert.equal(JSON.parse(text).users[0].name, 'system:node:n1');
  const conn = resolveKubeconfig(parseKubeconfigText(text), '/nowhere');
  assert.equal(conn.server, 'https://10.0.0.1:6443');
  assert.equal(conn.ca?.toString(), 'CA PEM');
  assert.equal(conn.cert?.toString(), 'CERT PEM');
  assert.equal(conn.key?.toString(), 'KEY PEM');
});
