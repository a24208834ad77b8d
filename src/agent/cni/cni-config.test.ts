import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bridgeConfig, CniConfigError, gatewayFor, parseIpv4Cidr, portmapConfig } from './cni-config.ts';

describe('CNI configs', () => {
  it('derives the gateway and normalises the subnet', () => {
    assert.equal(gatewayFor('10.42.250.0/24'), '10.42.250.1');
    assert.equal(gatewayFor('10.42.250.77/24'), '10.42.250.1');
    assert.deepEqual(parseIpv4Cidr('10.42.0.0/16'), { network: 0x0a2a0000, prefix: 16 });
    assert.throws(() => parseIpv4Cidr('10.42.0.0/31'), CniConfigError);
    assert.throws(() => parseIpv4Cidr('fd00::/64'), CniConfigError);
  });

  it('builds a bridge + host-local config with gateway and hairpin, masquerade left to skiff', () => {
    const c = bridgeConfig({
      podCidr: '10.42.250.9/24',
      ipamDataDir: '/var/lib/skiff/cni/ipam',
      networkName: 'skiff',
    });
    assert.equal(c.bridge, 'skiff0');
    assert.equal(c.isGateway && c.hairpinMode, true);
    assert.equal(c.ipMasq, false, 'the plugin would create CNI-<hash> chains');
    assert.deepEqual(c.ipam, {
      type: 'host-local',
      dataDir: '/var/lib/skiff/cni/ipam',
      ranges: [[{ subnet: '10.42.250.0/24', gateway: '10.42.250.1' }]],
      routes: [{ dst: '0.0.0.0/0' }],
    });
    assert.throws(
      () => bridgeConfig({ podCidr: '10.0.0.0/24', ipamDataDir: '/x', bridge: 'a-very-long-bridge' }),
      /longer than 15/,
    );
  });

  it('passes hostPorts to portmap as runtimeConfig', () => {
    assert.deepEqual(portmapConfig('skiff', [{ hostPort: 8080, containerPort: 80 }]).runtimeConfig, {
      portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    });
  });
});
