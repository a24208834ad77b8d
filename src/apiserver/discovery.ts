// Discovery documents, computed once from the kind registry: legacy (/api, /apis, /api/v1,
// /apis/<g>/<v>) and aggregated (apidiscovery.k8s.io v2 and v2beta1, negotiated by the caller).
import type { KindDef } from '../api/kinds/types.ts';

export interface GroupVersion {
  group: string;
  version: string;
  kinds: KindDef[];
}

export interface DiscoveryDocs {
  /** group → its versions in preference order; core group is ''. */
  groups: Map<string, GroupVersion[]>;
  apiVersions: object;
  apiGroupList: object;
  /** '/api/v1' or '/apis/apps/v1' → APIResourceList */
  resourceLists: Map<string, object>;
  /** '/apis/apps' → APIGroup */
  apiGroups: Map<string, object>;
  aggregatedCore(apiVersion: string): object;
  aggregatedApis(apiVersion: string): object;
}

/** Extra groups served by the apiserver's own handlers (reviews), listed for discovery. */
export interface ExtraResource {
  group: string;
  version: string;
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

export function buildDiscovery(kinds: readonly KindDef[], extra: ExtraResource[] = []): DiscoveryDocs {
  const groups = new Map<string, GroupVersion[]>();
  const gvOf = (group: string, version: string): GroupVersion => {
    let versions = groups.get(group);
    if (!versions) {
      versions = [];
      groups.set(group, versions);
    }
    let gv = versions.find((v) => v.version === version);
    if (!gv) {
      gv = { group, version, kinds: [] };
      versions.push(gv);
    }
    return gv;
  };
  for (const k of kinds) gvOf(k.group, k.version).kinds.push(k);
  const extraByGv = new Map<string, ExtraResource[]>();
  for (const r of extra) {
    gvOf(r.group, r.version);
    const id = `${r.group}/${r.version}`;
    extraByGv.set(id, [...(extraByGv.get(id) ?? []), r]);
  }

  const gvString = (g: string, v: string) => (g ? `${g}/${v}` : v);
  const resourceLists = new Map<string, object>();
  for (const [group, versions] of groups) {
    for (const gv of versions) {
      const resources: object[] = [];
      for (const k of gv.kinds) {
        resources.push({
          name: k.plural,
          singularName: k.singular,
          namespaced: k.namespaced,
          kind: k.kind,
          verbs: k.verbs,
          ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
          ...(k.categories.length ? { categories: k.categories } : {}),
        });
        for (const s of k.subresources) {
          const sameGroup = s.kind.group === k.group && s.kind.version === k.version;
          resources.push({
            name: `${k.plural}/${s.name}`,
            singularName: '',
            namespaced: k.namespaced,
            ...(sameGroup ? {} : { group: s.kind.group, version: s.kind.version }),
            kind: s.kind.kind,
            verbs: s.verbs,
          });
        }
      }
      for (const r of extraByGv.get(`${group}/${gv.version}`) ?? []) {
        resources.push({
          name: r.name,
          singularName: '',
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: r.verbs,
        });
      }
      const path = group ? `/apis/${group}/${gv.version}` : `/api/${gv.version}`;
      resourceLists.set(path, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: gvString(group, gv.version),
        resources,
      });
    }
  }

  const apiGroups = new Map<string, object>();
  const groupObjs: object[] = [];
  for (const [group, versions] of groups) {
    if (!group) continue;
    const vs = versions.map((v) => ({ groupVersion: `${group}/${v.version}`, version: v.version }));
    const g = { name: group, versions: vs, preferredVersion: vs[0] };
    groupObjs.push(g);
    apiGroups.set(`/apis/${group}`, { kind: 'APIGroup', apiVersion: 'v1', ...g });
  }

  const aggregatedItem = (group: string, versions: GroupVersion[]) => ({
    metadata: { name: group, creationTimestamp: null },
    versions: versions.map((gv) => ({
      version: gv.version,
      freshness: 'Current',
      resources: [
        ...gv.kinds.map((k) => ({
          resource: k.plural,
          responseKind: { group: k.group, version: k.version, kind: k.kind },
          scope: k.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: k.singular,
          verbs: k.verbs,
          ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
          ...(k.categories.length ? { categories: k.categories } : {}),
          ...(k.subresources.length
            ? {
                subresources: k.subresources.map((s) => ({
                  subresource: s.name,
                  responseKind: s.kind,
                  verbs: s.verbs,
                })),
              }
            : {}),
        })),
        ...(extraByGv.get(`${group}/${gv.version}`) ?? []).map((r) => ({
          resource: r.name,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.name.replace(/s$/, ''),
          verbs: r.verbs,
        })),
      ],
    })),
  });

  return {
    groups,
    apiVersions: {
      kind: 'APIVersions',
      versions: (groups.get('') ?? []).map((v) => v.version),
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }],
    },
    apiGroupList: { kind: 'APIGroupList', apiVersion: 'v1', groups: groupObjs },
    resourceLists,
    apiGroups,
    aggregatedCore: (apiVersion) => ({
      kind: 'APIGroupDiscoveryList',
      apiVersion,
      metadata: {},
      items: groups.has('') ? [aggregatedItem('', groups.get('')!)] : [],
    }),
    aggregatedApis: (apiVersion) => ({
      kind: 'APIGroupDiscoveryList',
      apiVersion,
      metadata: {},
      items: [...groups].filter(([g]) => g !== '').map(([g, vs]) => aggregatedItem(g, vs)),
    }),
  };
}
