// Parses a request path into Kubernetes' RequestInfo: which API, group/version, namespace,
// resource, name, subresource, and the verb (get/list/watch/create/update/patch/delete/
// deletecollection). Pure: the router decides what to do with it.

export interface RequestInfo {
  /** A resource request (under /api/v1 or /apis/g/v with a resource segment). */
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix: 'api' | 'apis' | '';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Remaining segments after the subresource (pods/x/proxy/<path>). */
  parts: string[];
}

const COLLECTION_VERBS: Record<string, string> = { GET: 'list', POST: 'create', DELETE: 'deletecollection' };
const ITEM_VERBS: Record<string, string> = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    group: '',
    version: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
  const segs = path.split('/').filter((s) => s !== '');
  if (segs[0] !== 'api' && segs[0] !== 'apis') return info;
  info.apiPrefix = segs[0];
  let i = 1;
  if (info.apiPrefix === 'apis') {
    if (segs.length < 3) return info; // /apis or /apis/<group>
    info.group = segs[1];
    info.version = segs[2];
    i = 3;
  } else {
    if (segs.length < 2) return info; // /api
    info.version = segs[1];
    i = 2;
  }
  let rest = segs.slice(i).map(decodeURIComponent);
  if (rest.length === 0) return info; // /api/v1 discovery
  info.isResourceRequest = true;
  // Legacy /watch/ prefix: /api/v1/watch/namespaces/x/pods
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  // namespaces/<ns>/<resource>... except the namespace resource itself (namespaces/<name>[/sub]).
  if (rest[0] === 'namespaces' && rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
    info.namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length >= 2) {
    // GET /api/v1/namespaces/<name>: the namespace object; its own namespace is its name, as upstream.
    info.namespace = rest[1];
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  info.parts = rest.slice(3);
  if (info.resource === 'namespaces' && rest.length <= 3 && info.namespace && !info.name) {
    info.name = info.namespace;
  }
  if (info.name) {
    info.verb = ITEM_VERBS[method] ?? info.verb;
    if (method === 'POST') info.verb = 'create'; // subresources like binding, eviction, token
    if (method === 'GET' && legacyWatch) info.verb = 'watch';
  } else {
    info.verb = COLLECTION_VERBS[method] ?? info.verb;
    if (method === 'GET' && (legacyWatch || isTrue(query.get('watch')))) info.verb = 'watch';
  }
  if (info.verb === 'get' && isTrue(query.get('watch'))) info.verb = 'watch';
  return info;
}

// namespaces/<name>/status and /finalize are the namespace's own subresources, not a resource in it.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const isTrue = (v: string | null): boolean => v === 'true' || v === '1';
