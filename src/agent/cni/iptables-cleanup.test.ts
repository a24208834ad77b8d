import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planIptablesCleanup } from './iptables-cleanup.ts';

// iptables-save -t nat after bridge(ipMasq) + portmap ADD for pod "p1" of network "skiff-a", with a
// second network "other" holding its own pod and hostPort.
const SAVE = String.raw`*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:CNI-7dfdb07130a5c749a774cd2a - [0:0]
:CNI-DN-7dfdb07130a5c749a774c - [0:0]
:CNI-aaaa - [0:0]
:CNI-DN-aaaa - [0:0]
:CNI-HOSTPORT-DNAT - [0:0]
:CNI-HOSTPORT-MASQ - [0:0]
:CNI-HOSTPORT-SETMARK - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
-A POSTROUTING -s 10.42.250.2/32 -m comment --comment "name: \"skiff-a\" id: \"p1\"" -j CNI-7dfdb07130a5c749a774cd2a
-A POSTROUTING -s 10.42.251.2/32 -m comment --comment "name: \"other\" id: \"q\"" -j CNI-aaaa
-A CNI-7dfdb07130a5c749a774cd2a -d 10.42.250.0/24 -m comment --comment "name: \"skiff-a\" id: \"p1\"" -j ACCEPT
-A CNI-7dfdb07130a5c749a774cd2a ! -d 224.0.0.0/4 -m comment --comment "name: \"skiff-a\" id: \"p1\"" -j MASQUERADE
-A CNI-aaaa ! -d 224.0.0.0/4 -m comment --comment "name: \"other\" id: \"q\"" -j MASQUERADE
-A CNI-DN-7dfdb07130a5c749a774c -p tcp -m tcp --dport 18080 -j DNAT --to-destination 10.42.250.2:8080
-A CNI-DN-aaaa -p tcp -m tcp --dport 18081 -j DNAT --to-destination 10.42.251.2:8080
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \"skiff-a\" id: \"p1\"" -m multiport --dports 18080 -j CNI-DN-7dfdb07130a5c749a774c
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \"other\" id: \"q\"" -m multiport --dports 18081 -j CNI-DN-aaaa
-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
COMMIT
`;

describe('planIptablesCleanup', () => {
  it("removes one network's rules and chains, keeping shared chains another network still uses", () => {
    assert.equal(
      planIptablesCleanup(SAVE, 'skiff-a'),
      String.raw`*nat
-D POSTROUTING -s 10.42.250.2/32 -m comment --comment "name: \"skiff-a\" id: \"p1\"" -j CNI-7dfdb07130a5c749a774cd2a
-D CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \"skiff-a\" id: \"p1\"" -m multiport --dports 18080 -j CNI-DN-7dfdb07130a5c749a774c
-F CNI-7dfdb07130a5c749a774cd2a
-F CNI-DN-7dfdb07130a5c749a774c
-X CNI-7dfdb07130a5c749a774cd2a
-X CNI-DN-7dfdb07130a5c749a774c
COMMIT
`,
    );
  });

  it('removes the shared hostport chains with the last network using them', () => {
    const withoutA = SAVE.split('\n')
      .filter((l) => !l.includes('skiff-a') && !l.includes('7dfdb'))
      .join('\n');
    const plan = planIptablesCleanup(withoutA, 'other') ?? '';
    for (const line of [
      '-D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
      '-D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
      '-X CNI-aaaa',
      '-X CNI-DN-aaaa',
      '-X CNI-HOSTPORT-SETMARK',
    ]) {
      assert.ok(plan.split('\n').includes(line), line);
    }
    assert.ok(plan.indexOf('-D ') < plan.indexOf('-F ') && plan.indexOf('-F ') < plan.indexOf('-X '));
  });

  it('does not confuse networks whose names share a prefix, and plans nothing when clean', () => {
    assert.equal(planIptablesCleanup(SAVE.replaceAll('"skiff-a\\"', '"skiff-ab\\"'), 'skiff-a'), undefined);
    assert.equal(planIptablesCleanup('*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n', 'skiff'), undefined);
  });
});
