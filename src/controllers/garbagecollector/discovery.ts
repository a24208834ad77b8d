// Which resources the API serves, from its discovery documents (`/api/v1`, `/apis`, then each
// group's preferred version), as client-go's ServerPreferredResources: the namespace controller
// deletes every namespaced resource it finds, the garbage collector watches every listable one.
// A group whose document fails is reported, not fatal: the rest of the cluster still gets cleaned.
import type { ResourceRef, RestClient } from '../../client/index.ts';

export interface DiscoveredResource extends ResourceRef {
  kind: string;
  verbs: readonly string[];
}

export interface DiscoveryResult {
  resources: DiscoveredResource[];
  /** groupVersion → the error its document returned. */
  failed: Map<string, string>;
}

interface ApiResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
}

interface ApiGroup {
  name: string;
  preferredVersion?: { groupVersion: string; version: string };
  versions?: { groupVersion: string; version: string }[];
}

const CORE_PATH = '/api/v1';
const GROUPS_PATH = '/apis';

export async function discoverResources(client: RestClient, signal?: AbortSignal): Promise<DiscoveryResult> {
  const resources: DiscoveredResource[] = [];
  const failed = new Map<string, string>();
  const load = async (group: string, version: string, path: string): Promise<void> => {
    try {
      const doc = await client.json<{ resources?: ApiResource[] }>({ method: 'GET', path, signal });
      for (const r of doc.resources ?? []) {
        // Subresources (`pods/status`) are not collections of their own.
        if (r.name.includes('/')) continue;
        resources.push({
          group,
          version,
          resource: r.name,
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: r.verbs ?? [],
        });
      }
    } catch (err) {
      failed.set(group ? `${group}/${version}` : version, (err as Error).message);
    }
  };
  await load('', 'v1', CORE_PATH);
  let groups: ApiGroup[] = [];
  try {
    groups =
      (await client.json<{ groups?: ApiGroup[] }>({ method: 'GET', path: GROUPS_PATH, signal })).groups ?? [];
  } catch (err) {
    failed.set(GROUPS_PATH, (err as Error).message);
  }
  await Promise.all(
    groups.map((g) => {
      const v = g.preferredVersion?.version ?? g.versions?.[0]?.version;
      return v ? load(g.name, v, `${GROUPS_PATH}/${g.name}/${v}`) : Promise.resolve();
    }),
  );
  return { resources, failed };
}

export const supports = (r: DiscoveredResource, ...verbs: string[]): boolean =>
  verbs.every((v) => r.verbs.includes(v));

/** `apps/v1` + `Deployment` → the resource serving that kind. */
export const kindKey = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;

export const apiVersionOf = (r: ResourceRef): string => (r.group ? `${r.group}/${r.version}` : r.version);
