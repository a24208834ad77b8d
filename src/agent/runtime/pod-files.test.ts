import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterFirstDns, resolvConf } from './pod-files.ts';

describe('clusterFirstDns', () => {
  it('searches the namespace, the cluster, then the host domains, with ndots:5', () => {
    const dns = clusterFirstDns('shop', {
      nameservers: ['10.43.0.10'],
      hostSearches: ['corp.test', 'cluster.local'],
    });
    assert.equal(
      resolvConf(dns),
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.test\n' +
        'nameserver 10.43.0.10\noptions ndots:5\n',
    );
  });

  it('follows a custom cluster domain', () => {
    const dns = clusterFirstDns('default', { nameservers: ['10.43.0.10'], clusterDomain: 'k.test' });
    assert.deepEqual(dns.searches, ['default.svc.k.test', 'svc.k.test', 'k.test']);
  });
});
