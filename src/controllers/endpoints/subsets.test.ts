import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { endpointSubsets } from './subsets.ts';

const pod = (
  name: string,
  ip: string | undefined,
  opts: { ready?: boolean; port?: number; deleting?: boolean; host?: string } = {},
): KObject => ({
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    labels: { app: 'web' },
    ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
  },
  spec: {
    nodeName: 'n1',
    ...(opts.host ? { hostname: opts.host, subdomain: 'web' } : {}),
    containers: [{ name: 'c', ports: [{ name: 'http', containerPort: opts.port ?? 8080 }] }],
  },
  status: {
    phase: 'Running',
    ...(ip ? { podIP: ip } : {}),
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

const service = (spec: KObject = {}): KObject => ({
  metadata: { name: 'web', namespace: 'ns' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...spec },
});

describe('endpointSubsets', () => {
  it('splits ready and not-ready addresses, skips pods without an IP or terminating', () => {
    const subsets = endpointSubsets(service(), [
      pod('b', '10.0.0.10'),
      pod('a', '10.0.0.9'),
      pod('c', '10.0.0.11', { ready: false }),
      pod('d', undefined),
      pod('e', '10.0.0.12', { deleting: true }),
    ]);
    assert.equal(subsets.length, 1);
    assert.deepEqual(
      subsets[0].addresses.map((a: KObject) => a.ip),
      ['10.0.0.9', '10.0.0.10'],
    );
    assert.deepEqual(
      subsets[0].notReadyAddresses.map((a: KObject) => a.ip),
      ['10.0.0.11'],
    );
    assert.deepEqual(subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(subsets[0].addresses[0].targetRef, {
      kind: 'Pod',
      namespace: 'ns',
      name: 'a',
      uid: 'uid-a',
    });
    assert.equal(subsets[0].addresses[0].nodeName, 'n1');
  });

  it('groups pods whose named port resolves differently into separate subsets', () => {
    const subsets = endpointSubsets(service(), [
      pod('a', '10.0.0.1', { port: 8080 }),
      pod('b', '10.0.0.2', { port: 9090 }),
    ]);
    assert.deepEqual(
      subsets.map((s) => [s.addresses.map((a: KObject) => a.ip), s.ports[0].port]),
      [
        [['10.0.0.1'], 8080],
        [['10.0.0.2'], 9090],
      ],
    );
  });

  it('publishNotReadyAddresses lists unready and terminating pods as ready', () => {
    const subsets = endpointSubsets(service({ publishNotReadyAddresses: true }), [
      pod('a', '10.0.0.1', { ready: false }),
      pod('b', '10.0.0.2', { deleting: true }),
    ]);
    assert.deepEqual(
      subsets[0].addresses.map((a: KObject) => a.ip),
      ['10.0.0.1', '10.0.0.2'],
    );
    assert.equal(subsets[0].notReadyAddresses, undefined);
  });

  it('gives StatefulSet-style pods their hostname, and lists a portless headless service', () => {
    const subsets = endpointSubsets(service({ clusterIP: 'None', ports: [] }), [
      pod('web-0', '10.0.0.1', { host: 'web-0' }),
    ]);
    assert.deepEqual(subsets, [
      {
        addresses: [
          {
            ip: '10.0.0.1',
            hostname: 'web-0',
            nodeName: 'n1',
            targetRef: { kind: 'Pod', namespace: 'ns', name: 'web-0', uid: 'uid-web-0' },
          },
        ],
      },
    ]);
    // A portless service that is not headless lists nothing.
    assert.deepEqual(endpointSubsets(service({ ports: [] }), [pod('a', '10.0.0.1')]), []);
  });

  it('uses numeric target ports as is', () => {
    const subsets = endpointSubsets(service({ ports: [{ port: 80, targetPort: 8443, protocol: 'TCP' }] }), [
      pod('a', '10.0.0.1'),
    ]);
    assert.deepEqual(subsets[0].ports, [{ port: 8443, protocol: 'TCP' }]);
  });
});
