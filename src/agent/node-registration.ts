// Registers this machine as a Node and keeps it alive: the Lease in kube-node-lease is renewed
// every 10 s (the cheap heartbeat the node lifecycle controller watches), the status is written
// every 60 s or at once when something in it changed. A boot id that differs from the one kept in
// the data dir means the machine rebooted since the agent last ran: a `Rebooted` event says so.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import type { KObject } from '../api/object.ts';
import { type EventRecorder, isNotFound, LEASES, NODES, type RestClient } from '../client/index.ts';
import { type Clock, realClock, type Timer } from '../util/clock.ts';
import type { Disposable } from '../util/disposable.ts';
import type { Logger } from '../util/log.ts';
import { microTime, rfc3339 } from '../util/time-format.ts';
import { gatherNodeFacts } from './node-facts.ts';
import { buildNode, buildNodeStatus, type NodeFacts, statusFingerprint } from './node-object.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_RENEW_MS = 10_000;
export const LEASE_DURATION_SECONDS = 40;
export const STATUS_REPORT_MS = 60_000;
/** Facts are re-read this often; a changed fingerprint triggers an early status write. */
export const FACTS_CHECK_MS = 10_000;
export const BOOT_ID_FILE = 'boot-id';
export const REASON_REBOOTED = 'Rebooted';

export interface NodeRegistrationOptions {
  client: RestClient;
  nodeName: string;
  dataDir: string;
  internalIP: string;
  podCidr?: string;
  recorder: EventRecorder;
  clock?: Clock;
  log?: Logger;
  /** Replaces gatherNodeFacts (tests). */
  facts?: () => Promise<NodeFacts>;
  /** The agent API's port, reported as daemonEndpoints.kubeletEndpoint.Port. */
  kubeletPort?: () => number;
}

export class NodeRegistration implements Disposable {
  readonly #o: NodeRegistrationOptions;
  readonly #clock: Clock;
  readonly #nodes;
  readonly #leases;
  #timers: Timer[] = [];
  #node: Node | undefined;
  #lastStatusAt = 0;
  #disposed = false;

  constructor(o: NodeRegistrationOptions) {
    this.#o = o;
    this.#clock = o.clock ?? realClock;
    this.#nodes = o.client.resource<KObject>(NODES);
    this.#leases = o.client.resource<KObject>(LEASES, NODE_LEASE_NAMESPACE);
  }

  get node(): Node | undefined {
    return this.#node;
  }

  /** The pod CIDR: the Node's spec wins over the configured one. */
  get podCidr(): string | undefined {
    return this.#node?.spec?.podCIDR ?? this.#o.podCidr;
  }

  async #facts(): Promise<NodeFacts> {
    const f = await (this.#o.facts ? this.#o.facts() : gatherNodeFacts(this.#o.dataDir, this.#o.internalIP));
    return { ...f, kubeletPort: this.#o.kubeletPort?.() ?? 0 };
  }

  /** Creates or updates the Node, renews the Lease once, then keeps both fresh until dispose(). */
  async start(): Promise<Node> {
    const facts = await this.#facts();
    const now = this.#clock.now();
    let node: Node;
    try {
      let existing = (await this.#nodes.get(this.#o.nodeName)) as Node;
      const status = buildNodeStatus(facts, existing, rfc3339(now));
      if (!existing.spec?.podCIDR && this.#o.podCidr) {
        const spec = { ...existing.spec, podCIDR: this.#o.podCidr, podCIDRs: [this.#o.podCidr] };
        existing = (await this.#nodes.update({ ...existing, spec } as KObject)) as Node;
      }
      node = (await this.#nodes.updateStatus({ ...existing, status } as KObject)) as Node;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const fresh = buildNode(this.#o.nodeName, facts, this.#o.podCidr, rfc3339(now));
      const created = (await this.#nodes.create(fresh as KObject)) as Node;
      // Status on create may be dropped by the server: write it through the subresource too.
      node = (await this.#nodes.updateStatus({ ...created, status: fresh.status } as KObject)) as Node;
    }
    this.#node = node;
    this.#lastStatusAt = now;
    await this.#checkBootId(facts.bootId);
    await this.#renewLease();
    this.#schedule(LEASE_RENEW_MS, () => this.#renewLease());
    this.#schedule(FACTS_CHECK_MS, () => this.#maybeReportStatus());
    return node;
  }

  #schedule(ms: number, fn: () => Promise<void>): void {
    const tick = (): void => {
      if (this.#disposed) return;
      fn()
        .catch((err: unknown) => this.#o.log?.warn('node heartbeat failed', { err: String(err) }))
        .finally(() => {
          if (!this.#disposed) this.#timers.push(this.#clock.setTimer(ms, tick));
        });
    };
    this.#timers.push(this.#clock.setTimer(ms, tick));
  }

  async #checkBootId(bootId: string): Promise<void> {
    const file = path.join(this.#o.dataDir, BOOT_ID_FILE);
    const prev = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (prev && prev !== bootId && this.#node) {
      const ref = { kind: 'Node', apiVersion: 'v1', name: this.#o.nodeName, uid: this.#o.nodeName };
      this.#o.recorder.event(
        ref,
        'Warning',
        REASON_REBOOTED,
        `Node ${this.#o.nodeName} has been rebooted, boot id: ${bootId}`,
      );
    }
    await mkdir(this.#o.dataDir, { recursive: true });
    await writeFile(file, `${bootId}\n`);
  }

  async #renewLease(): Promise<void> {
    const now = microTime(this.#clock.now());
    const name = this.#o.nodeName;
    try {
      const lease = await this.#leases.get(name);
      lease.spec = {
        ...lease.spec,
        holderIdentity: name,
        leaseDurationSeconds: LEASE_DURATION_SECONDS,
        renewTime: now,
      };
      await this.#leases.update(lease);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.#leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name,
          namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: this.#node?.metadata?.uid
            ? [{ apiVersion: 'v1', kind: 'Node', name, uid: this.#node.metadata.uid }]
            : [],
        },
        spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
      });
    }
  }

  async #maybeReportStatus(): Promise<void> {
    const facts = await this.#facts();
    const now = this.#clock.now();
    const current = (await this.#nodes.get(this.#o.nodeName)) as Node;
    const node: Node = { ...current, status: buildNodeStatus(facts, current, rfc3339(now)) };
    if (statusFingerprint(node) === statusFingerprint(current) && now - this.#lastStatusAt < STATUS_REPORT_MS)
      return;
    this.#node = (await this.#nodes.updateStatus(node as KObject)) as Node;
    this.#lastStatusAt = now;
  }

  dispose(): void {
    this.#disposed = true;
    for (const t of this.#timers) t.cancel();
    this.#timers = [];
  }
}
