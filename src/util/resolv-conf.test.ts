import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { formatResolvConf, MAX_SEARCH_PATHS, parseResolvConf, podResolvConf } from './resolv-conf.ts';

const host = parseResolvConf(`# written by hand
nameserver 192.168.1.1
nameserver 192.168.1.2 ; second
search corp.example. lab.example
options timeout:2 attempts:3
`);
const ctx = { clusterDNS: ['10.43.0.10'], host };
const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'shop' },
  spec: { containers: [], ...spec },
});

describe('parseResolvConf', () => {
  it('reads nameservers, search (trailing dots dropped) and options', () => {
    assert.deepEqual(host, {
      nameservers: ['192.168.1.1', '192.168.1.2'],
      searches: ['corp.example', 'lab.example'],
      options: ['timeout:2', 'attempts:3'],
    });
  });
});

describe('podResolvConf', () => {
  it("ClusterFirst: cluster DNS, namespace search path then the host's, ndots:5", () => {
    assert.equal(
      formatResolvConf(podResolvConf(pod(), ctx)),
      'nameserver 10.43.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\noptions ndots:5\n',
    );
  });
  it('ClusterFirst on the host network behaves as Default; ClusterFirstWithHostNet does not', () => {
    assert.deepEqual(podResolvConf(pod({ hostNetwork: true }), ctx), host);
    assert.deepEqual(
      podResolvConf(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), ctx).nameservers,
      ['10.43.0.10'],
    );
  });
  it('Default copies the node; without cluster DNS ClusterFirst falls back to it', () => {
    assert.deepEqual(podResolvConf(pod({ dnsPolicy: 'Default' }), ctx), host);
    assert.deepEqual(podResolvConf(pod(), { ...ctx, clusterDNS: [] }), host);
  });
  it('None uses only dnsConfig', () => {
    const conf = podResolvConf(
      pod({
        dnsPolicy: 'None',
        dnsConfig: {
          nameservers: ['1.1.1.1'],
          searches: ['a.example'],
          options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
        },
      }),
      ctx,
    );
    assert.equal(formatResolvConf(conf), 'nameserver 1.1.1.1\nsearch a.example\noptions ndots:2 edns0\n');
  });
  it('dnsConfig merges: servers and searches appended without duplicates, options override by name', () => {
    const conf = podResolvConf(
      pod({
        dnsConfig: {
          nameservers: ['10.43.0.10', '8.8.8.8'],
          searches: ['svc.cluster.local', 'x.example'],
          options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }],
        },
      }),
      ctx,
    );
    assert.deepEqual(conf.nameservers, ['10.43.0.10', '8.8.8.8']);
    assert.deepEqual(conf.searches.slice(-1), ['x.example']);
    assert.equal(conf.searches.filter((s) => s === 'svc.cluster.local').length, 1);
    assert.deepEqual(conf.options, ['ndots:1', 'single-request']);
  });
  it('trims to 3 nameservers and the search-path limit', () => {
    const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
    const conf = podResolvConf(
      pod({ dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'], searches: many } }),
      ctx,
    );
    assert.equal(conf.nameservers.length, 3);
    assert.equal(conf.searches.length, MAX_SEARCH_PATHS);
  });
});
