// Which resource a request is about and the REST path for it:
//   core:   /api/v1[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]
//   groups: /apis/<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]
import type { KindDef } from '../api/kinds/types.ts';

export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  /** The plural resource name, e.g. `pods`. */
  resource: string;
  namespaced: boolean;
  /** The kind its objects carry (used to fill apiVersion/kind on writes when missing). */
  kind?: string;
}

export const refOf = (k: KindDef): ResourceRef => ({
  group: k.group,
  version: k.version,
  resource: k.plural,
  namespaced: k.namespaced,
  kind: k.kind,
});

/** Resources this library itself uses (events, leader election) and most components need. */
export const PODS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'pods',
  namespaced: true,
  kind: 'Pod',
};
export const NODES: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'nodes',
  namespaced: false,
  kind: 'Node',
};
export const NAMESPACES: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  namespaced: false,
  kind: 'Namespace',
};
export const CONFIGMAPS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  namespaced: true,
  kind: 'ConfigMap',
};
export const EVENTS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'events',
  namespaced: true,
  kind: 'Event',
};
export const LEASES: ResourceRef = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  namespaced: true,
  kind: 'Lease',
};

export const apiVersionOfRef = (r: ResourceRef): string => (r.group ? `${r.group}/${r.version}` : r.version);

/** `pods`, or `deployments.apps`, as upstream names resources in messages. */
export const qualifiedName = (r: ResourceRef): string => (r.group ? `${r.resource}.${r.group}` : r.resource);

/** The REST path of a collection, an object or one of its subresources. */
export function resourcePath(
  r: ResourceRef,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.resource}`;
  if (name !== undefined) {
    if (name === '') throw new TypeError(`a name is required to address one ${qualifiedName(r)} object`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}
