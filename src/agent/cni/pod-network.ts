// Pod networking with the standard CNI plugins:
//
//   setUp(id):    masquerade chain ensured (once per instance; pod-masquerade.ts)
//                 ─► ip netns add skiff-<id> ─► loopback ADD (lo) ─► bridge ADD (eth0, host-local IP)
//                 ─► portmap ADD (hostPorts; prevResult = bridge result) ─► result saved
//   tearDown(id): portmap DEL ─► bridge DEL (prevResult) ─► loopback DEL ─► ip netns delete
//
// Results are saved under `<stateDir>/results/<id>.json`, so a restarted agent can still tear a
// pod down with the right prevResult; host-local keeps its leases under `<stateDir>/ipam`.
// tearDown is idempotent and also cleans up after a setUp that failed half-way.

import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bridgeConfig,
  DEFAULT_BRIDGE,
  DEFAULT_CNI_BIN_DIR,
  DEFAULT_NETWORK_NAME,
  gatewayFor,
  loopbackConfig,
  type PortMapping,
  portmapConfig,
} from './cni-config.ts';
import { type CniResult, invokePlugin } from './cni-plugin.ts';
import { createNetns, deleteNetns, netnsPath } from './netns.ts';
import { ensurePodMasquerade, type IptablesRunner } from './pod-masquerade.ts';

const POD_IFNAME = 'eth0';

export interface PodNetworkOptions {
  podCidr: string;
  /**
   * Every node's pods (default: podCidr alone). Pod traffic to anything else is masqueraded; set
   * it to the cluster CIDR so pod-to-pod traffic across nodes keeps its source address.
   */
  clusterCidr?: string;
  /** Set false when something else masquerades pod traffic (default true). */
  masquerade?: boolean;
  /** Where iptables runs (tests: inside a network namespace). Default: the host. */
  iptables?: IptablesRunner;
  /** Our state: ADD results and host-local leases. */
  stateDir: string;
  networkName?: string;
  bridge?: string;
  binDir?: string;
  mtu?: number;
}

export interface PodNetworkStatus {
  id: string;
  netnsPath: string;
  /** The pod's IPv4 address (without prefix length). */
  ip: string;
  gateway: string;
  portMappings: PortMapping[];
  /** The bridge plugin's result, kept for DEL's prevResult. */
  result: CniResult;
}

export class PodNetwork {
  readonly networkName: string;
  readonly bridge: string;
  readonly podCidr: string;
  readonly #binDir: string;
  readonly #resultsDir: string;
  readonly #ipamDir: string;
  readonly #mtu: number | undefined;
  readonly #masquerade: { clusterCidr: string; run: IptablesRunner | undefined } | undefined;
  #masqueradeReady: Promise<void> | undefined;

  constructor(opts: PodNetworkOptions) {
    this.networkName = opts.networkName ?? DEFAULT_NETWORK_NAME;
    this.bridge = opts.bridge ?? DEFAULT_BRIDGE;
    this.podCidr = opts.podCidr;
    this.#binDir = opts.binDir ?? DEFAULT_CNI_BIN_DIR;
    this.#resultsDir = join(opts.stateDir, 'results');
    this.#ipamDir = join(opts.stateDir, 'ipam');
    this.#mtu = opts.mtu;
    this.#masquerade =
      opts.masquerade === false
        ? undefined
        : { clusterCidr: opts.clusterCidr ?? opts.podCidr, run: opts.iptables };
  }

  /** Creates (or repairs) the network's masquerade chain; concurrent setUps share one attempt. */
  ensureMasquerade(): Promise<void> {
    const m = this.#masquerade;
    if (!m) return Promise.resolve();
    this.#masqueradeReady ??= ensurePodMasquerade(
      { networkName: this.networkName, podCidr: this.podCidr, clusterCidr: m.clusterCidr },
      m.run,
    ).catch((err: unknown) => {
      this.#masqueradeReady = undefined; // retried by the next setUp
      throw err;
    });
    return this.#masqueradeReady;
  }

  get gateway(): string {
    return gatewayFor(this.podCidr);
  }

  #bridgeConfig() {
    return bridgeConfig({
      networkName: this.networkName,
      bridge: this.bridge,
      podCidr: this.podCidr,
      ipamDataDir: this.#ipamDir,
      ...(this.#mtu ? { mtu: this.#mtu } : {}),
    });
  }

  /** Creates the pod's network namespace and wires it to the bridge. */
  async setUp(id: string, opts: { portMappings?: PortMapping[] } = {}): Promise<PodNetworkStatus> {
    await mkdir(this.#resultsDir, { recursive: true });
    await mkdir(this.#ipamDir, { recursive: true });
    await this.ensureMasquerade();
    const netns = await createNetns(id);
    const base = { binDir: this.#binDir, containerId: id, netns };
    const portMappings = opts.portMappings ?? [];
    try {
      await invokePlugin({
        ...base,
        plugin: 'loopback',
        command: 'ADD',
        ifName: 'lo',
        config: loopbackConfig(this.networkName),
      });
      const result = await invokePlugin({
        ...base,
        plugin: 'bridge',
        command: 'ADD',
        ifName: POD_IFNAME,
        config: this.#bridgeConfig(),
      });
      if (!result?.ips?.length) throw new Error('bridge plugin returned no IP');
      const status: PodNetworkStatus = {
        id,
        netnsPath: netns,
        ip: result.ips[0].address.split('/')[0],
        gateway: result.ips[0].gateway ?? this.gateway,
        portMappings,
        result,
      };
      // Saved before portmap so a failure there still tears down with the right prevResult.
      await this.#save(status);
      if (portMappings.length) {
        await invokePlugin({
          ...base,
          plugin: 'portmap',
          command: 'ADD',
          ifName: POD_IFNAME,
          config: { ...portmapConfig(this.networkName, portMappings), prevResult: result },
        });
      }
      return status;
    } catch (err) {
      await this.tearDown(id).catch(() => {});
      throw err;
    }
  }

  /** Releases the pod's IP, host ports and namespace; safe to call repeatedly. */
  async tearDown(id: string): Promise<void> {
    const status = await this.get(id);
    const netns = netnsPath(id);
    const base = { binDir: this.#binDir, containerId: id, netns };
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    if (status?.portMappings.length) {
      await attempt(() =>
        invokePlugin({
          ...base,
          plugin: 'portmap',
          command: 'DEL',
          ifName: POD_IFNAME,
          config: { ...portmapConfig(this.networkName, status.portMappings), prevResult: status.result },
        }),
      );
    }
    await attempt(() =>
      invokePlugin({
        ...base,
        plugin: 'bridge',
        command: 'DEL',
        ifName: POD_IFNAME,
        config: { ...this.#bridgeConfig(), ...(status ? { prevResult: status.result } : {}) },
      }),
    );
    await attempt(() =>
      invokePlugin({
        ...base,
        plugin: 'loopback',
        command: 'DEL',
        ifName: 'lo',
        config: loopbackConfig(this.networkName),
      }),
    );
    await attempt(() => deleteNetns(id));
    if (errors.length)
      throw errors.length === 1 ? errors[0] : new AggregateError(errors, `tearDown ${id} failed`);
    await rm(join(this.#resultsDir, `${id}.json`), { force: true });
  }

  async get(id: string): Promise<PodNetworkStatus | undefined> {
    const text = await readFile(join(this.#resultsDir, `${id}.json`), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as PodNetworkStatus);
  }

  /** Pods with a saved network (for re-adoption and garbage collection). */
  async list(): Promise<PodNetworkStatus[]> {
    const out: PodNetworkStatus[] = [];
    for (const n of await readdir(this.#resultsDir).catch(() => [] as string[])) {
      if (!n.endsWith('.json')) continue;
      const s = await this.get(n.slice(0, -'.json'.length));
      if (s) out.push(s);
    }
    return out;
  }

  async #save(status: PodNetworkStatus): Promise<void> {
    const path = join(this.#resultsDir, `${status.id}.json`);
    await writeFile(`${path}.tmp`, JSON.stringify(status, null, 2));
    await rename(`${path}.tmp`, path);
  }
}
