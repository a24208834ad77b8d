// The write actions the UI offers. Each reports through `report` (the notices in the page) and
// is also reachable as window.skiffDashboard.actions, so tests can force an action a button hides.
import { type Api, type KObj, MERGE_PATCH } from './api.ts';
import { KINDS, pathFor } from './resources.ts';
import { JSON_PATCH, rollbackPatch, rolloutHistory } from './rollback.ts';

export interface Reporter {
  ok(text: string): void;
  error(err: unknown): void;
}

export class Actions {
  readonly #api: Api;
  readonly #report: Reporter;

  constructor(api: Api, report: Reporter) {
    this.#api = api;
    this.#report = report;
  }

  /** PATCH the scale subresource, as `kubectl scale` does. True when it succeeded. */
  async scale(namespace: string, name: string, replicas: number): Promise<boolean> {
    return this.#run(`scaled deployment ${name} to ${replicas}`, () =>
      this.#api.patch(
        pathFor(KINDS.Deployment, namespace, name, 'scale'),
        { spec: { replicas } },
        MERGE_PATCH,
      ),
    );
  }

  /** `kubectl rollout undo --to-revision=N`. */
  async rollback(namespace: string, name: string, revision: number): Promise<boolean> {
    return this.#run(
      `rolled back deployment ${name} to revision ${revision}`,
      async () => {
        const d = await this.#api.get(pathFor(KINDS.Deployment, namespace, name));
        const rs = await this.#api.list(
          `${pathFor(KINDS.ReplicaSet, namespace)}?labelSelector=${encodeURIComponent(selectorString(d))}`,
        );
        const patch = rollbackPatch(d, rolloutHistory(d, rs.items), revision);
        if (!patch) return 'skip';
        await this.#api.request(pathFor(KINDS.Deployment, namespace, name), {
          method: 'PATCH',
          body: JSON.stringify(patch),
          contentType: JSON_PATCH,
        });
      },
      `skipped rollback (current template already matches revision ${revision})`,
    );
  }

  /** Server-side apply of a manifest at `path`. */
  async apply(path: string, yaml: string): Promise<boolean> {
    return this.#run('applied', () => this.#api.apply(path, yaml));
  }

  async #run(done: string, fn: () => Promise<unknown>, skipped?: string): Promise<boolean> {
    try {
      const r = await fn();
      this.#report.ok(r === 'skip' && skipped ? skipped : done);
      return true;
    } catch (err) {
      this.#report.error(err);
      return false;
    }
  }
}

/** matchLabels as a label selector string (matchExpressions are rare on Deployments). */
export function selectorString(o: KObj): string {
  const labels: Record<string, string> = o.spec?.selector?.matchLabels ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
