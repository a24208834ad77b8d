import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Namespace, Pod } from 'kubernetes-types/core/v1.d.ts';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.d.ts';
import { formatCidr, parseCidr, subtractCidrs } from './cidr.ts';
import {
  computePodPolicies,
  connectionAllowed,
  effectivePolicyTypes,
  type Protocol,
} from './policy-model.ts';
import { ingressChain, renderNetpol } from './render.ts';

const pod = (ns: string, name: string, ip: string, labels: Record<string, string>, node = 'n1'): Pod => ({
  metadata: { namespace: ns, name, labels },
  spec: {
    nodeName: node,
    containers: [
      {
        name: 'c',
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'dns', containerPort: 53, protocol: 'UDP' },
        ],
      },
    ],
  },
  status: { podIP: ip, phase: 'Running' },
});
const ns = (name: string, labels: Record<string, string> = {}): Namespace => ({ metadata: { name, labels } });
const np = (namespace: string, name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({
  metadata: { namespace, name },
  spec,
});

const WEB = '10.42.0.2';
const FRONT = '10.42.0.3';
const OTHER = '10.42.0.4';
const REMOTE = '10.42.1.9'; // a pod on another node
const pods = [
  pod('prod', 'web', WEB, { app: 'web' }),
  pod('frontend', 'ui', FRONT, { app: 'ui' }),
  pod('default', 'other', OTHER, { app: 'other' }),
  pod('prod', 'remote', REMOTE, { app: 'api' }, 'n2'),
];
const namespaces = [ns('prod', { env: 'prod' }), ns('frontend', { team: 'frontend' }), ns('default')];
const all = { podSelector: {} };

type Case = [
  name: string,
  policies: NetworkPolicy[],
  src: string,
  dst: string,
  port: number,
  allowed: boolean,
  proto?: Protocol,
];
const CASES: Case[] = [
  ['no policy: everything allowed', [], OTHER, WEB, 8080, true],
  [
    'default deny ingress',
    [np('prod', 'deny', { ...all, policyTypes: ['Ingress'] })],
    FRONT,
    WEB,
    8080,
    false,
  ],
  ['no policyTypes, no egress rules: ingress only', [np('prod', 'deny', all)], WEB, OTHER, 8080, true],
  ['no policyTypes, no egress rules: ingress denied', [np('prod', 'deny', all)], OTHER, WEB, 8080, false],
  [
    'no policyTypes with egress rules: egress isolated too',
    [np('prod', 'p', { ...all, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })],
    WEB,
    OTHER,
    8080,
    false,
  ],
  [
    'policy selecting other pods leaves web open',
    [np('prod', 'p', { podSelector: { matchLabels: { app: 'x' } } })],
    OTHER,
    WEB,
    8080,
    true,
  ],
  ['ingress [{}] allows all', [np('prod', 'p', { ...all, ingress: [{}] })], OTHER, WEB, 9999, true],
  ...(['frontend', 'other'] as const).map(
    (who): Case => [
      `allow from namespace team=frontend (${who})`,
      [
        np('prod', 'p', {
          ...all,
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'frontend' } } }] }],
        }),
      ],
      who === 'frontend' ? FRONT : OTHER,
      WEB,
      8080,
      who === 'frontend',
    ],
  ),
  [
    'podSelector alone means the policy namespace',
    [np('prod', 'p', { ...all, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'ui' } } }] }] })],
    FRONT,
    WEB,
    8080,
    false,
  ],
  [
    'namespace AND pod selector',
    [
      np('prod', 'p', {
        ...all,
        ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'ui' } } }] }],
      }),
    ],
    FRONT,
    WEB,
    8080,
    true,
  ],
  [
    'one port allowed',
    [np('prod', 'p', { ...all, ingress: [{ ports: [{ port: 8080 }] }] })],
    OTHER,
    WEB,
    8080,
    true,
  ],
  [
    'other port denied',
    [np('prod', 'p', { ...all, ingress: [{ ports: [{ port: 8080 }] }] })],
    OTHER,
    WEB,
    9090,
    false,
  ],
  [
    'protocol must match',
    [np('prod', 'p', { ...all, ingress: [{ ports: [{ port: 8080 }] }] })],
    OTHER,
    WEB,
    8080,
    false,
    'UDP',
  ],
  [
    'named port resolves on the pod',
    [np('prod', 'p', { ...all, ingress: [{ ports: [{ port: 'http' }] }] })],
    OTHER,
    WEB,
    8080,
    true,
  ],
  [
    'named port with the wrong protocol matches nothing',
    [np('prod', 'p', { ...all, ingress: [{ ports: [{ port: 'dns' }] }] })],
    OTHER,
    WEB,
    53,
    false,
  ],
  [
    'endPort range',
    [np('prod', 'p', { ...all, ingress: [{ ports: [{ port: 8000, endPort: 8100 }] }] })],
    OTHER,
    WEB,
    8080,
    true,
  ],
  [
    'outside endPort range',
    [np('prod', 'p', { ...all, ingress: [{ ports: [{ port: 8000, endPort: 8050 }] }] })],
    OTHER,
    WEB,
    8080,
    false,
  ],
  [
    'ipBlock allows',
    [
      np('prod', 'p', {
        ...all,
        ingress: [{ from: [{ ipBlock: { cidr: '10.42.0.0/24', except: ['10.42.0.4/32'] } }] }],
      }),
    ],
    FRONT,
    WEB,
    8080,
    true,
  ],
  [
    'ipBlock except denies',
    [
      np('prod', 'p', {
        ...all,
        ingress: [{ from: [{ ipBlock: { cidr: '10.42.0.0/24', except: ['10.42.0.4/32'] } }] }],
      }),
    ],
    OTHER,
    WEB,
    8080,
    false,
  ],
  ['egress deny all', [np('frontend', 'p', { ...all, policyTypes: ['Egress'] })], FRONT, WEB, 8080, false],
  [
    'egress deny does not touch ingress',
    [np('frontend', 'p', { ...all, policyTypes: ['Egress'] })],
    WEB,
    FRONT,
    8080,
    true,
  ],
  [
    'egress to pods by named port',
    [
      np('frontend', 'p', {
        ...all,
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] }],
      }),
    ],
    FRONT,
    WEB,
    8080,
    true,
  ],
  [
    'egress named port elsewhere denied',
    [np('frontend', 'p', { ...all, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
    FRONT,
    WEB,
    9090,
    false,
  ],
  [
    'policies are additive',
    [
      np('prod', 'a', { ...all, ingress: [{ ports: [{ port: 1 }] }] }),
      np('prod', 'b', { ...all, ingress: [{ ports: [{ port: 8080 }] }] }),
    ],
    OTHER,
    WEB,
    8080,
    true,
  ],
];

describe('NetworkPolicy model', () => {
  for (const [name, policies, src, dst, port, allowed, proto] of CASES)
    it(name, () => {
      const model = computePodPolicies({ policies, pods, namespaces, nodeName: 'n1' });
      assert.equal(connectionAllowed(model, { src, dst, port, protocol: proto }), allowed);
    });

  it('defaults policyTypes as upstream and enforces only this node’s pods', () => {
    assert.deepEqual(effectivePolicyTypes(np('a', 'b', all)), ['Ingress']);
    assert.deepEqual(effectivePolicyTypes(np('a', 'b', { ...all, egress: [{}] })), ['Ingress', 'Egress']);
    assert.deepEqual(effectivePolicyTypes(np('a', 'b', { ...all, policyTypes: ['Egress'] })), ['Egress']);
    const model = computePodPolicies({
      policies: [np('prod', 'deny', all)],
      pods,
      namespaces,
      nodeName: 'n1',
    });
    assert.deepEqual(
      model.map((p) => p.key),
      ['prod/web'],
    );
  });

  it('subtracts except ranges into disjoint CIDRs', () => {
    const parts = subtractCidrs(parseCidr('10.0.0.0/24')!, [
      parseCidr('10.0.0.128/25')!,
      parseCidr('10.0.0.4/30')!,
    ]);
    assert.deepEqual(parts.map(formatCidr), [
      '10.0.0.0/30',
      '10.0.0.8/29',
      '10.0.0.16/28',
      '10.0.0.32/27',
      '10.0.0.64/26',
    ]);
    assert.deepEqual(subtractCidrs(parseCidr('10.0.0.0/24')!, [parseCidr('10.0.0.0/16')!]), []);
    assert.deepEqual(subtractCidrs(parseCidr('10.0.0.0/24')!, [parseCidr('10.1.0.0/16')!]).map(formatCidr), [
      '10.0.0.0/24',
    ]);
  });

  it('renders RETURN per allowed peer and port, DROP last, and deletes stale chains', () => {
    const model = computePodPolicies({
      policies: [
        np('prod', 'p', {
          ...all,
          ingress: [{ from: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ port: 80, endPort: 90 }] }],
        }),
      ],
      pods,
      namespaces,
      nodeName: 'n1',
    });
    const c = ingressChain('prod/web');
    const r = renderNetpol(model, ['SKIFF-NP-I-OLDOLDOLDOLD', c]);
    const lines = r.text.split('\n');
    assert.ok(
      lines.includes(`-A SKIFF-NP-FORWARD -d ${WEB}/32 -m comment --comment "prod/web ingress" -j ${c}`),
    );
    assert.ok(lines.includes(`-A ${c} -s 10.1.0.0/16 -p tcp -m tcp --dport 80:90 -j RETURN`));
    assert.ok(
      lines.indexOf(`-A ${c} -m comment --comment "prod/web ingress not allowed" -j DROP`) >
        lines.indexOf(`-A ${c} -s 10.1.0.0/16 -p tcp -m tcp --dport 80:90 -j RETURN`),
    );
    assert.ok(lines.includes('-X SKIFF-NP-I-OLDOLDOLDOLD'));
    assert.ok(!lines.includes(`-X ${c}`));
    assert.ok(!r.text.includes('ACCEPT'), 'policies never accept, only take traffic away');
  });
});
