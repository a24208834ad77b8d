// ClusterRole aggregation (upstream's clusterroleaggregation controller, run inside the server):
// a ClusterRole with an aggregationRule gets the union of the rules of every ClusterRole its
// selectors match, ordered by role name, without duplicates. Reconciles after any ClusterRole
// changed; chains (view → edit → admin) converge through the resulting change events.
import { selectorMatches } from '../../api/kinds/label-selector.ts';
import type { KObject } from '../../api/object.ts';
import type { PolicyRule } from './types.ts';
import type { ObjectSource } from './watched-resource.ts';

/** Coalesce a burst of ClusterRole events (start-up, `kubectl apply -f dir`) into one pass. */
const RECONCILE_DELAY_MS = 20;

export type RulesWriter = (name: string, rules: PolicyRule[]) => Promise<void>;

export class ClusterRoleAggregator {
  readonly #roles: ObjectSource;
  readonly #write: RulesWriter;
  readonly #onError: (err: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(
    roles: ObjectSource & { onChange(fn: () => void): void },
    write: RulesWriter,
    onError: (err: unknown) => void,
  ) {
    this.#roles = roles;
    this.#write = write;
    this.#onError = onError;
    roles.onChange(() => this.#schedule());
  }

  #schedule(): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#running) {
        this.#again = true;
        return;
      }
      this.#running = this.reconcile()
        .catch(this.#onError)
        .finally(() => {
          this.#running = undefined;
          if (this.#again) {
            this.#again = false;
            this.#schedule();
          }
        });
    }, RECONCILE_DELAY_MS);
    this.#timer.unref?.();
  }

  /** One pass over every aggregated ClusterRole; resolves when the writes are done. */
  async reconcile(): Promise<void> {
    const all = [...this.#roles.items()].map((e) => e.obj);
    for (const role of all) {
      const want = aggregatedRules(role, all);
      if (want && JSON.stringify(want) !== JSON.stringify(role.rules ?? [])) {
        await this.#write(role.metadata?.name ?? '', want);
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}

/** The rules an aggregated role should have, or undefined when it has no aggregationRule. */
export function aggregatedRules(role: KObject, all: readonly KObject[]): PolicyRule[] | undefined {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!Array.isArray(selectors)) return undefined;
  const name = role.metadata?.name;
  const sources = all
    .filter((r) => r.metadata?.name !== name && selectors.some((s) => selectorMatches(s, r.metadata?.labels)))
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const seen = new Set<string>();
  const out: PolicyRule[] = [];
  for (const src of sources) {
    for (const r of Array.isArray(src.rules) ? (src.rules as PolicyRule[]) : []) {
      const key = JSON.stringify(r);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}
