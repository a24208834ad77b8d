// OpenAPI v3 documents, one per group version, as upstream's /openapi/v3 serves them:
//
//   GET /openapi/v3            → {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=<H>"}, …}}
//   GET /openapi/v3/api/v1?hash=<H> → {openapi, info, paths, components.schemas}
//
// Paths come from the served kinds (see operations.ts); components.schemas hold the transitive
// closure of the definitions those paths reference, so `kubectl explain` can walk any field.
// The hash is the uppercase hex SHA-512 of the document's bytes, as upstream computes it.
import { createHash } from 'node:crypto';
import type { KindDef } from '../../api/kinds/types.ts';
import { allDefinitions } from '../../api/schemas/index.ts';
import { byCodeUnit } from '../../util/code-unit-order.ts';
import { kindPaths, type PathItem, REF_PREFIX } from './operations.ts';

export interface OpenApiDocs {
  root: { paths: Record<string, { serverRelativeURL: string }> };
  /** Keyed by the path after /openapi/v3/: `api/v1`, `apis/apps/v1`. */
  docs: Map<string, { hash: string; json: Buffer }>;
}

export interface OpenApiOptions {
  /** Server version for info.version, e.g. v1.32.0. */
  version: string;
}

const OPENAPI_VERSION = '3.0.0';
const TITLE = 'Kubernetes';
const SECURITY_SCHEMES = {
  BearerToken: {
    description: 'Bearer Token authentication',
    in: 'header',
    name: 'authorization',
    type: 'apiKey',
  },
};

const docKey = (group: string, version: string): string =>
  group ? `apis/${group}/${version}` : `api/${version}`;

/** Every definition reachable from `roots` through `$ref`s. */
export function definitionClosure(roots: Iterable<string>, defs: Record<string, object>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        // A string `$ref` is a reference; JSONSchemaProps also has a *property* named `$ref`.
        if (k === '$ref' && typeof x === 'string') stack.push(x.slice(REF_PREFIX.length));
        else visit(x);
      }
    }
  };
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    if (seen.has(name) || !defs[name]) continue;
    seen.add(name);
    visit(defs[name]);
  }
  return seen;
}

const sorted = <T>(entries: Iterable<[string, T]>): Record<string, T> =>
  Object.fromEntries([...entries].sort(([a], [b]) => byCodeUnit(a, b)));

export function buildOpenApiV3(kinds: readonly KindDef[], opts: OpenApiOptions): OpenApiDocs {
  const byGv = new Map<string, KindDef[]>();
  for (const k of kinds) {
    const key = docKey(k.group, k.version);
    const list = byGv.get(key) ?? [];
    list.push(k);
    byGv.set(key, list);
  }
  const all = allDefinitions();
  const docs = new Map<string, { hash: string; json: Buffer }>();
  const rootPaths: [string, { serverRelativeURL: string }][] = [];
  for (const [key, gvKinds] of byGv) {
    const roots = new Set<string>();
    const paths = new Map<string, PathItem>();
    for (const k of gvKinds) for (const [p, item] of kindPaths(k, roots)) paths.set(p, item);
    const schemas = sorted([...definitionClosure(roots, all)].map((n) => [n, all[n]]));
    const doc = {
      openapi: OPENAPI_VERSION,
      info: { title: TITLE, version: opts.version },
      paths: sorted(paths),
      components: { schemas, securitySchemes: SECURITY_SCHEMES },
    };
    const json = Buffer.from(JSON.stringify(doc));
    const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
    docs.set(key, { hash, json });
    rootPaths.push([key, { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` }]);
  }
  return { root: { paths: sorted(rootPaths) }, docs };
}
