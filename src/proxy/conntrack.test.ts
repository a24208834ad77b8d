import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conntrackArgs, ExecConntrackCleaner, staleUdpFlows } from './conntrack.ts';
import type { UdpTarget } from './render.ts';
import { MISSING_BINARY_CODE } from './run-command.ts';

const target = (endpointIPs: string[], nodePort = 0): UdpTarget => ({
  clusterIP: '10.43.0.10',
  port: 53,
  nodePort,
  externalIPs: [],
  endpointIPs,
});

describe('staleUdpFlows', () => {
  it('deletes NAT flows to removed endpoints, for the VIP and the NodePort', () => {
    const got = staleUdpFlows(
      new Map([['ns/dns', target(['10.42.0.1', '10.42.0.2'], 30053)]]),
      new Map([['ns/dns', target(['10.42.0.2'], 30053)]]),
    );
    assert.deepEqual(got, [
      { kind: 'nat', origDst: '10.43.0.10', port: 53, endpointIP: '10.42.0.1' },
      { kind: 'nodeport-nat', nodePort: 30053, endpointIP: '10.42.0.1' },
    ]);
  });

  it('clears flows to a service that gets its first endpoint', () => {
    const got = staleUdpFlows(
      new Map([['ns/dns', target([])]]),
      new Map([['ns/dns', target(['10.42.0.5'])]]),
    );
    assert.deepEqual(got, [{ kind: 'service', origDst: '10.43.0.10', port: 53 }]);
    assert.deepEqual(conntrackArgs(got[0]), [
      'conntrack',
      '-D',
      '-p',
      'udp',
      '--orig-dst',
      '10.43.0.10',
      '--dport',
      '53',
    ]);
  });

  it('nothing changed: nothing to delete', () => {
    const m = new Map([['ns/dns', target(['10.42.0.1'])]]);
    assert.deepEqual(staleUdpFlows(m, m), []);
  });
});

describe('ExecConntrackCleaner', () => {
  it('treats "0 flow entries" as success and a missing binary as a one-time notice', async () => {
    const seen: string[][] = [];
    let missing = 0;
    const ok = new ExecConntrackCleaner({
      run: async (argv) => {
        seen.push([...argv]);
        return {
          code: 1,
          stdout: '',
          stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.',
        };
      },
    });
    await ok.delete([{ kind: 'nodeport', nodePort: 30053 }]);
    assert.equal(seen.length, 1);

    const absent = new ExecConntrackCleaner({
      run: async () => ({ code: MISSING_BINARY_CODE, stdout: '', stderr: 'spawn conntrack ENOENT' }),
      onMissing: () => missing++,
    });
    await absent.delete([
      { kind: 'nodeport', nodePort: 1 },
      { kind: 'nodeport', nodePort: 2 },
    ]);
    await absent.delete([{ kind: 'nodeport', nodePort: 3 }]);
    assert.equal(missing, 1);

    const broken = new ExecConntrackCleaner({
      run: async () => ({ code: 2, stdout: '', stderr: 'bad args' }),
    });
    await assert.rejects(broken.delete([{ kind: 'nodeport', nodePort: 1 }]), /bad args/);
  });
});
