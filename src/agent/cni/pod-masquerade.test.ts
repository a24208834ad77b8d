import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podMasqChain, podMasqueradeRules } from './pod-masquerade.ts';

describe('pod masquerade rules', () => {
  const opts = { networkName: 'skiff', podCidr: '10.42.0.0/24', clusterCidr: '10.42.0.0/16' };

  it('masquerades only traffic leaving the cluster CIDR, in a skiff-named chain per network', () => {
    const c = podMasqChain('skiff');
    assert.match(c, /^SKIFF-PODMASQ-[0-9A-F]{8}$/);
    assert.ok(c.length <= 28, 'iptables chain names are at most 28 characters');
    assert.notEqual(podMasqChain('skiff-t1'), c);
    assert.equal(
      podMasqueradeRules(opts, true),
      [
        '*nat',
        `:${c} - [0:0]`,
        `-A POSTROUTING -m comment --comment "skiff pod masquerade skiff" -j ${c}`,
        `-A ${c} -s 10.42.0.0/24 -d 10.42.0.0/16 -j RETURN`,
        `-A ${c} -s 10.42.0.0/24 -d 224.0.0.0/4 -j RETURN`,
        `-A ${c} -s 10.42.0.0/24 -j MASQUERADE --random-fully`,
        'COMMIT',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(podMasqueradeRules(opts, false), /POSTROUTING/, 'jump added only when missing');
  });
});
