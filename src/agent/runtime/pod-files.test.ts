import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvConf, sandboxResolvConf } from './pod-files.ts';

const HOST = { nameservers: ['192.0.2.53'], searches: ['corp.test'], options: ['edns0'] };
const CLUSTER = { nameservers: ['10.43.0.10'], host: HOST };
const NO_HOST = { nameservers: [], searches: [], options: [] };

describe('sandboxResolvConf', () => {
  it('ClusterFirst: the cluster resolver, namespace then cluster then host searches, ndots:5', () => {
    assert.equal(
      sandboxResolvConf({ namespace: 'shop', hostNetwork: false }, CLUSTER, HOST),
      'nameserver 10.43.0.10\n' +
        'search shop.svc.cluster.local svc.cluster.local cluster.local corp.test\noptions ndots:5\n',
    );
  });

  it('follows a custom cluster domain', () => {
    const text = sandboxResolvConf(
      { namespace: 'default', hostNetwork: false },
      { nameservers: ['10.43.0.10'], clusterDomain: 'k.test' },
      NO_HOST,
    );
    assert.match(text, /^search default\.svc\.k\.test svc\.k\.test k\.test$/m);
  });

  it('host network: ClusterFirst falls back to the node resolvers, ClusterFirstWithHostNet does not', () => {
    assert.equal(
      sandboxResolvConf({ namespace: 'a', hostNetwork: true }, CLUSTER, HOST),
      'nameserver 192.0.2.53\nsearch corp.test\noptions edns0\n',
    );
    assert.match(
      sandboxResolvConf(
        { namespace: 'a', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' },
        CLUSTER,
        HOST,
      ),
      /^nameserver 10\.43\.0\.10$/m,
    );
  });

  it('Default uses the node resolvers; None only dnsConfig, merged options replace by name', () => {
    assert.match(
      sandboxResolvConf({ namespace: 'a', hostNetwork: false, dnsPolicy: 'Default' }, CLUSTER, HOST),
      /^nameserver 192\.0\.2\.53$/m,
    );
    assert.equal(
      sandboxResolvConf(
        {
          namespace: 'a',
          hostNetwork: false,
          dnsPolicy: 'None',
          dnsConfig: {
            nameservers: ['192.0.2.1'],
            searches: ['x.test'],
            options: [{ name: 'ndots', value: '2' }],
          },
        },
        CLUSTER,
        HOST,
      ),
      'nameserver 192.0.2.1\nsearch x.test\noptions ndots:2\n',
    );
    assert.match(
      sandboxResolvConf(
        {
          namespace: 'a',
          hostNetwork: false,
          dnsConfig: { options: [{ name: 'ndots', value: '1' }, { name: 'edns0' }] },
        },
        CLUSTER,
        HOST,
      ),
      /^options ndots:1 edns0$/m,
    );
  });

  it('without cluster DNS a pod-network pod gets the node resolvers, as the kubelet falls back', () => {
    assert.match(
      sandboxResolvConf({ namespace: 'a', hostNetwork: false }, undefined, HOST),
      /^nameserver 192\.0\.2\.53$/m,
    );
  });
});

describe('resolvConf', () => {
  it('writes an explicit configuration', () => {
    assert.equal(
      resolvConf({ nameservers: ['10.0.0.1'], searches: ['a.test'], options: ['ndots:3'] }),
      'search a.test\nnameserver 10.0.0.1\noptions ndots:3\n',
    );
  });
});
