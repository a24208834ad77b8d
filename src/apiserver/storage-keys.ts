// Storage keys: /registry/<group>/<resource>/<namespace>/<name>; the core group is spelled `core`
// so every key has the same number of segments. Cluster-scoped kinds have no namespace segment.
// List prefixes always end in '/', so `/registry/core/pods/a/` never matches namespace `ab`.

export const REGISTRY_PREFIX = '/registry/';

export const groupSegment = (group: string): string => group || 'core';

export const resourcePrefix = (group: string, resource: string): string =>
  `${REGISTRY_PREFIX}${groupSegment(group)}/${resource}/`;

export const namespacePrefix = (group: string, resource: string, namespace: string): string =>
  namespace ? `${resourcePrefix(group, resource)}${namespace}/` : resourcePrefix(group, resource);

export const objectKey = (group: string, resource: string, namespace: string, name: string): string =>
  namespace
    ? `${resourcePrefix(group, resource)}${namespace}/${name}`
    : `${resourcePrefix(group, resource)}${name}`;

/** `/registry/apps/deployments/ns/x` → `apps/deployments` (the resource cache it belongs to). */
export function resourceOfKey(key: string): string | undefined {
  if (!key.startsWith(REGISTRY_PREFIX)) return undefined;
  const a = key.indexOf('/', REGISTRY_PREFIX.length);
  if (a < 0) return undefined;
  const b = key.indexOf('/', a + 1);
  if (b < 0) return undefined;
  return key.slice(REGISTRY_PREFIX.length, b);
}

export const resourceId = (group: string, resource: string): string => `${groupSegment(group)}/${resource}`;
