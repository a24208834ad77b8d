import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { KObject } from '../../api/object.ts';
import { NODES, type RestClient, SharedInformerFactory } from '../../client/index.ts';
import { startWorkloadHarness, type WorkloadHarness } from '../common/test-harness.ts';
import type { ControllerContext } from '../types.ts';
import { cidrsOf, nodeIpamControllerFactory } from './controller.ts';

const createNode = (client: RestClient, name: string, cidr?: string) =>
  client.resource(NODES).create({
    metadata: { name },
    spec: cidr ? { podCIDR: cidr, podCIDRs: [cidr] } : {},
  } as KObject);

const cidrOf = (h: WorkloadHarness, name: string) =>
  h.eventually(async () => cidrsOf(await h.client.resource(NODES).get(name))[0]);

describe('node IPAM (range allocator)', () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('assigns distinct /24s of 10.42.0.0/16 and skips subnets nodes already hold', async () => {
    const h = await startWorkloadHarness([nodeIpamControllerFactory]);
    stops.push(() => h.stop());
    await createNode(h.client, 'skiff-held', '10.42.0.0/24');
    await createNode(h.client, 'skiff-a');
    await createNode(h.client, 'skiff-b');
    const a = await cidrOf(h, 'skiff-a');
    const b = await cidrOf(h, 'skiff-b');
    assert.match(a, /^10\.42\.\d+\.0\/24$/);
    assert.match(b, /^10\.42\.\d+\.0\/24$/);
    assert.equal(new Set([a, b, '10.42.0.0/24']).size, 3);
    const node = await h.client.resource(NODES).get('skiff-a');
    assert.equal(node.spec?.podCIDR, a);
    assert.deepEqual(node.spec?.podCIDRs, [a]);
  });

  it('after a restart reads existing nodes first, waits when full, and reuses a deleted node’s subnet', async () => {
    const h = await startWorkloadHarness([]);
    stops.push(() => h.stop());
    // What a previous controller left behind, in a /23 that holds only two /24s.
    await createNode(h.client, 'skiff-old', '10.42.0.0/24');
    const informers = new SharedInformerFactory(h.client);
    const ctx: ControllerContext = { ...h.ctx, informers, clusterCidr: '10.42.0.0/23', nodeCidrMaskSize: 24 };
    const controller = nodeIpamControllerFactory(ctx);
    const abort = new AbortController();
    informers.start();
    const running = controller.run(abort.signal);
    stops.push(async () => {
      abort.abort();
      await running;
      await informers.dispose();
    });
    await createNode(h.client, 'skiff-x');
    assert.equal(await cidrOf(h, 'skiff-x'), '10.42.1.0/24');
    await createNode(h.client, 'skiff-y');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(cidrsOf(await h.client.resource(NODES).get('skiff-y')), [], 'range is full');
    await h.client.resource(NODES).delete('skiff-old');
    assert.equal(await cidrOf(h, 'skiff-y'), '10.42.0.0/24');
  });
});
