// ResourceQuota admission: a namespaced create that would take a quota's usage past its hard limit
// is refused with upstream's `exceeded quota: <name>, requested: …, used: …, limited: …`; a pod
// that leaves out a compute resource a quota limits gets `failed quota: <name>: must specify …`.
// Usage is computed from the watch caches (so it heals itself), and after every write that changes
// it the quota's status (hard, used) is brought up to date.
import type { KObject } from '../../api/object.ts';
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  type Quantity,
  tryParseQuantity,
} from '../../api/quantity.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';
import { admissionForbidden } from './forbidden.ts';
import { countedResource, matchesScopes, type Usage, usageOf } from './quota-usage.ts';

/** What the plugin reads and writes, provided by the server. */
export interface QuotaDeps {
  /** The ResourceQuotas of a namespace (watch cache). */
  quotas(namespace: string): Iterable<KObject>;
  /** Objects of a resource in a namespace, after the caches caught up with storage. */
  objects(group: string, plural: string, namespace: string): Promise<KObject[]>;
  /** Replace a quota's status (hard, used). */
  writeStatus(namespace: string, name: string, status: KObject): Promise<void>;
  onError?(err: unknown): void;
}

/** Coalesce a burst of writes in one namespace into one status recomputation. */
const STATUS_DELAY_MS = 50;

export class ResourceQuotaAdmission implements AdmissionPlugin {
  readonly name = 'ResourceQuota';
  readonly #d: QuotaDeps;
  readonly #pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(deps: QuotaDeps) {
    this.#d = deps;
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE' || a.subresource || !a.kind.namespaced || !a.obj) return;
    const { group, plural } = a.kind;
    const quotas = [...this.#d.quotas(a.namespace)];
    if (quotas.length === 0) return;
    const delta = usageOf(group, plural, a.obj);
    for (const quota of quotas) {
      if (!matchesScopes(quota, group, plural, a.obj)) continue;
      const hard = parseList(quota.spec?.hard);
      const keys = [...hard.keys()].filter((k) => affects(k, group, plural));
      if (keys.length === 0) continue;
      const missing = keys.filter((k) => !delta.has(k) && group === '' && plural === 'pods' && isCompute(k));
      if (missing.length) {
        throw admissionForbidden(
          a,
          `failed quota: ${quota.metadata?.name}: must specify ${missing.sort().join(',')}`,
        );
      }
      const used = await this.#usage(a.namespace, quota, keys);
      const exceeded = keys.filter((k) => {
        const req = delta.get(k);
        if (!req) return false;
        const total = addQuantities(used.get(k) ?? zero(req), req);
        return compareQuantities(total, hard.get(k)!) > 0;
      });
      if (exceeded.length) {
        const show = (m: Usage) =>
          exceeded
            .sort()
            .map((k) => `${k}=${formatQuantity(m.get(k) ?? zero(hard.get(k)!))}`)
            .join(',');
        throw admissionForbidden(
          a,
          `exceeded quota: ${quota.metadata?.name}, requested: ${show(delta)}, used: ${show(used)}, limited: ${show(hard)}`,
        );
      }
    }
  }

  committed(a: AdmissionAttributes): void {
    if (!a.kind.namespaced || a.subresource === 'status') return;
    const isQuota = a.kind.group === '' && a.kind.plural === 'resourcequotas';
    if (!isQuota && [...this.#d.quotas(a.namespace)].length === 0) return;
    this.#schedule(a.namespace);
  }

  #schedule(namespace: string): void {
    if (this.#pending.has(namespace)) return;
    const t = setTimeout(() => {
      this.#pending.delete(namespace);
      this.refreshStatus(namespace).catch((err) => this.#d.onError?.(err));
    }, STATUS_DELAY_MS);
    t.unref?.();
    this.#pending.set(namespace, t);
  }

  /** Recompute and store status.used of every quota in a namespace. */
  async refreshStatus(namespace: string): Promise<void> {
    for (const quota of this.#d.quotas(namespace)) {
      const hard = parseList(quota.spec?.hard);
      const used = await this.#usage(namespace, quota, [...hard.keys()]);
      const status = {
        hard: Object.fromEntries([...hard].map(([k, q]) => [k, formatQuantity(q)])),
        used: Object.fromEntries([...hard].map(([k, q]) => [k, formatQuantity(used.get(k) ?? zero(q))])),
      };
      if (JSON.stringify(status) !== JSON.stringify(quota.status ?? {})) {
        await this.#d.writeStatus(namespace, quota.metadata?.name ?? '', status);
      }
    }
  }

  async #usage(namespace: string, quota: KObject, keys: string[]): Promise<Usage> {
    const used: Usage = new Map();
    const resources = new Map<string, { group: string; plural: string }>();
    for (const k of keys) {
      const r = countedResource(k);
      if (r) resources.set(`${r.group}/${r.plural}`, r);
    }
    for (const { group, plural } of resources.values()) {
      for (const obj of await this.#d.objects(group, plural, namespace)) {
        if (!matchesScopes(quota, group, plural, obj)) continue;
        for (const [k, q] of usageOf(group, plural, obj)) {
          if (!keys.includes(k)) continue;
          const have = used.get(k);
          used.set(k, have ? addQuantities(have, q) : q);
        }
      }
    }
    return used;
  }

  stop(): void {
    for (const t of this.#pending.values()) clearTimeout(t);
    this.#pending.clear();
  }
}

function affects(key: string, group: string, plural: string): boolean {
  const r = countedResource(key);
  return !!r && r.group === group && r.plural === plural;
}

const isCompute = (k: string): boolean =>
  k === 'cpu' || k === 'memory' || /^(requests|limits)\.(cpu|memory)$/.test(k);
const zero = (like: Quantity): Quantity => ({ nanos: 0n, format: like.format });

function parseList(r: unknown): Usage {
  const out: Usage = new Map();
  if (r && typeof r === 'object')
    for (const [k, v] of Object.entries(r)) {
      const q = tryParseQuantity(String(v));
      if (q) out.set(k, q);
    }
  return out;
}
