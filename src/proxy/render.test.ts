// Golden-file tests: each fixtures/<case>.json renders to exactly fixtures/<case>.rules.
// Regenerate after an intended change with SKIFF_UPDATE_GOLDEN=1 and review the diff.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.d.ts';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.d.ts';
import { endpointChain, serviceChain } from './chains.ts';
import { type RenderInput, RuleRenderer, renderRuleset } from './render.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const UPDATE = process.env.SKIFF_UPDATE_GOLDEN === '1';

const loadFixture = (name: string): RenderInput => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

describe('renderRuleset golden files', () => {
  const cases = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  it('has fixtures', () => assert.ok(cases.length >= 4));
  for (const file of cases) {
    it(file, () => {
      const got = renderRuleset(loadFixture(file)).text;
      const golden = join(FIXTURES, file.replace(/\.json$/, '.rules'));
      if (UPDATE) writeFileSync(golden, got);
      assert.equal(got, readFileSync(golden, 'utf8'));
    });
  }
});

const svc = (name: string, ip: string, port = 80, extra: Partial<Service['spec']> = {}): Service => ({
  metadata: { name, namespace: 'default' },
  spec: { clusterIP: ip, ports: [{ port, protocol: 'TCP' }], ...extra },
});
const slice = (svcName: string, ips: string[], port = 8080, protocol = 'TCP'): EndpointSlice => ({
  metadata: { name: `${svcName}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4',
  ports: [{ port, protocol }],
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
});
const base = { nodeName: 'n1', nodeIPs: ['192.168.0.2'], clusterCIDR: '10.42.0.0/16' };

describe('renderer behaviour', () => {
  it('uses kube-proxy chain hashes and 1/n, 1/(n-1) probabilities', () => {
    const text = renderRuleset({
      ...base,
      services: [svc('web', '10.43.0.9')],
      endpointSlices: [slice('web', ['10.42.0.1', '10.42.0.2', '10.42.0.3', '10.42.0.4'])],
    }).text;
    const chain = serviceChain('default/web', 'tcp');
    const probs = [...text.matchAll(new RegExp(`-A ${chain} .*--probability (\\S+)`, 'g'))].map((m) => m[1]);
    assert.deepEqual(probs, ['0.2500000000', '0.3333333333', '0.5000000000']);
    assert.match(
      text,
      new RegExp(
        `-A ${endpointChain('default/web', 'tcp', '10.42.0.4:8080')} .*-j DNAT --to-destination 10.42.0.4:8080`,
      ),
    );
  });

  it('is deterministic whatever the input order', () => {
    const services = [svc('a', '10.43.0.1'), svc('b', '10.43.0.2'), svc('c', '10.43.0.3')];
    const slices = [slice('a', ['10.42.0.9', '10.42.0.1']), slice('c', ['10.42.0.3'])];
    const one = renderRuleset({ ...base, services, endpointSlices: slices }).text;
    const two = renderRuleset({
      ...base,
      services: [...services].reverse(),
      endpointSlices: [...slices].reverse(),
    }).text;
    assert.equal(one, two);
  });

  it('re-renders only changed services and emits only their chains in a partial render', () => {
    const r = new RuleRenderer();
    const services = [svc('a', '10.43.0.1'), svc('b', '10.43.0.2')];
    const slices = [slice('a', ['10.42.0.1']), slice('b', ['10.42.0.2'])];
    const first = r.render({ ...base, services, endpointSlices: slices });
    assert.equal(first.stats.rerendered, 2);
    // Same objects: nothing re-rendered. Equal copies: nothing re-rendered either.
    const copy = JSON.parse(JSON.stringify(slices)) as EndpointSlice[];
    assert.equal(r.render({ ...base, services, endpointSlices: copy }).stats.rerendered, 0);

    const changedSlices = [copy[0], slice('b', ['10.42.0.2', '10.42.0.7'])];
    const second = r.render(
      { ...base, services, endpointSlices: changedSlices },
      { previous: first, partial: true },
    );
    assert.equal(second.stats.rerendered, 1);
    const aChain = serviceChain('default/a', 'tcp');
    const bChain = serviceChain('default/b', 'tcp');
    assert.ok(!second.text.includes(`:${aChain} `), 'unchanged chain left out');
    assert.ok(
      second.text.includes(`-A SKIFF-SERVICES -m comment --comment "default/a cluster IP"`),
      'jump kept',
    );
    assert.ok(second.text.includes(`:${bChain} - [0:0]`));
    assert.ok(second.natChains.has(aChain));
  });

  it('flushes and deletes chains of removed services and endpoints', () => {
    const r = new RuleRenderer();
    const first = r.render({
      ...base,
      services: [svc('a', '10.43.0.1'), svc('b', '10.43.0.2')],
      endpointSlices: [slice('a', ['10.42.0.1', '10.42.0.5']), slice('b', ['10.42.0.2'])],
    });
    const second = r.render(
      { ...base, services: [svc('a', '10.43.0.1')], endpointSlices: [slice('a', ['10.42.0.1'])] },
      { previous: first, partial: true },
    );
    const gone = [
      serviceChain('default/b', 'tcp'),
      endpointChain('default/b', 'tcp', '10.42.0.2:8080'),
      endpointChain('default/a', 'tcp', '10.42.0.5:8080'),
    ];
    for (const c of gone) {
      assert.ok(second.text.includes(`:${c} - [0:0]\n`), `${c} declared`);
      assert.ok(second.text.includes(`-X ${c}\n`), `${c} deleted`);
      assert.ok(!second.natChains.has(c));
    }
    assert.ok(
      second.text.indexOf(`-X ${gone[0]}`) > second.text.lastIndexOf('-A '),
      'deletes come after rules',
    );
  });

  it('a node config change invalidates every cached fragment', () => {
    const r = new RuleRenderer();
    const input = { ...base, services: [svc('a', '10.43.0.1')], endpointSlices: [slice('a', ['10.42.0.1'])] };
    r.render(input);
    assert.equal(r.render({ ...input, clusterCIDR: '10.99.0.0/16' }).stats.rerendered, 1);
  });

  it('reports UDP service ports with their endpoint IPs for conntrack cleanup', () => {
    const s: Service = {
      metadata: { name: 'dns', namespace: 'default' },
      spec: { clusterIP: '10.43.0.10', ports: [{ port: 53, protocol: 'UDP' }] },
    };
    const rs = renderRuleset({
      ...base,
      services: [s],
      endpointSlices: [slice('dns', ['10.42.0.2', '10.42.0.3'], 53, 'UDP')],
    });
    assert.deepEqual(rs.udp.get('default/dns'), {
      clusterIP: '10.43.0.10',
      port: 53,
      nodePort: 0,
      externalIPs: [],
      endpointIPs: ['10.42.0.2', '10.42.0.3'],
    });
  });
});
