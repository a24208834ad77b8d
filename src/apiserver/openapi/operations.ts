// The OpenAPI path items of one kind: collection, item, all-namespaces, watch and subresource
// paths, each operation tagged with x-kubernetes-action and x-kubernetes-group-version-kind as
// upstream's documents are (kubectl explain and kubectl's validation probe both key on these).
import type { KindDef, SubresourceDef } from '../../api/kinds/types.ts';
import { definitionName } from '../../api/schemas/index.ts';
import {
  DELETE_COLLECTION_PARAMS,
  DELETE_PARAMS,
  LIST_PARAMS,
  NAME_PARAM,
  NAMESPACE_PARAM,
  PATCH_PARAMS,
  type Parameter,
  PRETTY_PARAM,
  SUBRESOURCE_PARAMS,
  WRITE_PARAMS,
} from './parameters.ts';

export const REF_PREFIX = '#/components/schemas/';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const STATUS_DEF = `${META}.Status`;
export const DELETE_OPTIONS_DEF = `${META}.DeleteOptions`;
export const PATCH_DEF = `${META}.Patch`;
export const WATCH_EVENT_DEF = `${META}.WatchEvent`;

/** Subresources that upgrade to a stream (exec, attach, port-forward, proxy): action `connect`. */
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

const JSON_TYPE = 'application/json';
const WATCH_TYPE = 'application/json;stream=watch';
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

type Json = Record<string, unknown>;
type Gvk = { group: string; kind: string; version: string };

export interface PathItem {
  parameters?: Parameter[];
  get?: Json;
  post?: Json;
  put?: Json;
  patch?: Json;
  delete?: Json;
}

const ref = (def: string): Json => ({ $ref: `${REF_PREFIX}${def}` });

const capitalize = (s: string): string => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** `rbac.authorization.k8s.io` → `RbacAuthorization`, `` → `Core`: upstream's operationId stem. */
function groupStem(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map(capitalize)
    .join('');
}

/** `core_v1`, `rbacAuthorization_v1`: upstream's operation tags. */
export function operationTag(group: string, version: string): string {
  const stem = groupStem(group);
  return `${stem[0].toLowerCase()}${stem.slice(1)}_${version}`;
}

function response(def: string | undefined, description: string, type = JSON_TYPE): Json {
  return def ? { description, content: { [type]: { schema: ref(def) } } } : { description };
}

const UNAUTHORIZED = { description: 'Unauthorized' };

interface OpSpec {
  action: string;
  operationId: string;
  description: string;
  gvk: Gvk;
  tag: string;
  params?: readonly Parameter[];
  body?: Json;
  responses: Record<string, Json>;
}

function operation(o: OpSpec): Json {
  const op: Json = { description: o.description, operationId: o.operationId };
  if (o.params?.length) op.parameters = [...o.params];
  if (o.body) op.requestBody = o.body;
  op.responses = { ...o.responses, '401': UNAUTHORIZED };
  op.tags = [o.tag];
  op['x-kubernetes-action'] = o.action;
  op['x-kubernetes-group-version-kind'] = o.gvk;
  return op;
}

const bodyOf = (def: string | undefined): Json => ({
  content: { '*/*': { schema: def ? ref(def) : {} } },
  required: true,
});

const PATCH_BODY: Json = {
  content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: ref(PATCH_DEF) }])),
  required: true,
};

const DELETE_BODY: Json = { content: { '*/*': { schema: ref(DELETE_OPTIONS_DEF) } } };

/** Path items of one kind, keyed by path; `defs` collects the definitions they reference. */
export function kindPaths(kind: KindDef, defs: Set<string>): Map<string, PathItem> {
  const paths = new Map<string, PathItem>();
  const prefix = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  const gvk: Gvk = { group: kind.group, kind: kind.kind, version: kind.version };
  const tag = operationTag(kind.group, kind.version);
  const stem = `${groupStem(kind.group)}${capitalize(kind.version)}`;
  const scope = kind.namespaced ? 'Namespaced' : '';
  const objDef = definitionName(kind.group, kind.version, kind.kind);
  const listDef = definitionName(kind.group, kind.version, kind.listKind);
  for (const d of [objDef, listDef, STATUS_DEF, DELETE_OPTIONS_DEF, PATCH_DEF, WATCH_EVENT_DEF])
    if (d) defs.add(d);
  const verbs = new Set(kind.verbs);
  const nsSeg = kind.namespaced ? '/namespaces/{namespace}' : '';
  const scopeParams = kind.namespaced ? [NAMESPACE_PARAM] : [];
  const collection = `${prefix}${nsSeg}/${kind.plural}`;
  const item = `${collection}/{name}`;
  const nameParam = NAME_PARAM(kind.kind);
  const add = (p: string, item: PathItem) => paths.set(p, item);

  const coll: PathItem = { parameters: [...scopeParams, PRETTY_PARAM] };
  if (verbs.has('list'))
    coll.get = operation({
      action: 'list',
      operationId: `list${stem}${scope}${kind.kind}`,
      description: `list or watch objects of kind ${kind.kind}`,
      gvk,
      tag,
      params: LIST_PARAMS,
      responses: { '200': response(listDef, 'OK') },
    });
  if (verbs.has('create'))
    coll.post = operation({
      action: 'post',
      operationId: `create${stem}${scope}${kind.kind}`,
      description: `create a ${kind.kind}`,
      gvk,
      tag,
      params: WRITE_PARAMS,
      body: bodyOf(objDef),
      responses: {
        '200': response(objDef, 'OK'),
        '201': response(objDef, 'Created'),
        '202': response(objDef, 'Accepted'),
      },
    });
  if (verbs.has('deletecollection'))
    coll.delete = operation({
      action: 'deletecollection',
      operationId: `delete${stem}Collection${scope}${kind.kind}`,
      description: `delete a collection of ${kind.kind}`,
      gvk,
      tag,
      params: DELETE_COLLECTION_PARAMS,
      body: DELETE_BODY,
      responses: { '200': response(STATUS_DEF, 'OK') },
    });
  if (coll.get || coll.post || coll.delete) add(collection, coll);

  const one: PathItem = { parameters: [nameParam, ...scopeParams, PRETTY_PARAM] };
  if (verbs.has('get'))
    one.get = operation({
      action: 'get',
      operationId: `read${stem}${scope}${kind.kind}`,
      description: `read the specified ${kind.kind}`,
      gvk,
      tag,
      responses: { '200': response(objDef, 'OK') },
    });
  if (verbs.has('update'))
    one.put = operation({
      action: 'put',
      operationId: `replace${stem}${scope}${kind.kind}`,
      description: `replace the specified ${kind.kind}`,
      gvk,
      tag,
      params: WRITE_PARAMS,
      body: bodyOf(objDef),
      responses: { '200': response(objDef, 'OK'), '201': response(objDef, 'Created') },
    });
  if (verbs.has('patch'))
    one.patch = operation({
      action: 'patch',
      operationId: `patch${stem}${scope}${kind.kind}`,
      description: `partially update the specified ${kind.kind}`,
      gvk,
      tag,
      params: PATCH_PARAMS,
      body: PATCH_BODY,
      responses: { '200': response(objDef, 'OK'), '201': response(objDef, 'Created') },
    });
  if (verbs.has('delete'))
    one.delete = operation({
      action: 'delete',
      operationId: `delete${stem}${scope}${kind.kind}`,
      description: `delete a ${kind.kind}`,
      gvk,
      tag,
      params: DELETE_PARAMS,
      body: DELETE_BODY,
      responses: { '200': response(objDef, 'OK'), '202': response(objDef, 'Accepted') },
    });
  if (one.get || one.put || one.patch || one.delete) add(item, one);

  if (kind.namespaced && verbs.has('list'))
    add(`${prefix}/${kind.plural}`, {
      parameters: [...LIST_PARAMS, PRETTY_PARAM],
      get: operation({
        action: 'list',
        operationId: `list${stem}${kind.kind}ForAllNamespaces`,
        description: `list or watch objects of kind ${kind.kind} in all namespaces`,
        gvk,
        tag,
        responses: { '200': response(listDef, 'OK') },
      }),
    });

  if (verbs.has('watch')) {
    const watchOp = (action: string, operationId: string, description: string): Json =>
      operation({
        action,
        operationId,
        description,
        gvk,
        tag,
        responses: { '200': response(WATCH_EVENT_DEF, 'OK', WATCH_TYPE) },
      });
    const watchPrefix = `${prefix}/watch${nsSeg}/${kind.plural}`;
    add(watchPrefix, {
      parameters: [...scopeParams, ...LIST_PARAMS, PRETTY_PARAM],
      get: watchOp(
        'watchlist',
        `watch${stem}${scope}${kind.kind}List`,
        `watch changes to a list of ${kind.kind}; deprecated: use the watch parameter of list`,
      ),
    });
    add(`${watchPrefix}/{name}`, {
      parameters: [nameParam, ...scopeParams, ...LIST_PARAMS, PRETTY_PARAM],
      get: watchOp(
        'watch',
        `watch${stem}${scope}${kind.kind}`,
        `watch changes to a ${kind.kind}; deprecated: use the watch parameter with a fieldSelector on list`,
      ),
    });
    if (kind.namespaced)
      add(`${prefix}/watch/${kind.plural}`, {
        parameters: [...LIST_PARAMS, PRETTY_PARAM],
        get: watchOp(
          'watchlist',
          `watch${stem}${kind.kind}ListForAllNamespaces`,
          `watch changes to a list of ${kind.kind} in all namespaces; deprecated: use the watch parameter of list`,
        ),
      });
  }

  for (const sub of kind.subresources) {
    const p = subresourcePath(kind, sub, { stem, scope, tag, nameParam, scopeParams }, defs);
    if (p) add(`${item}/${sub.name}`, p);
  }
  return paths;
}

interface SubCtx {
  stem: string;
  scope: string;
  tag: string;
  nameParam: Parameter;
  scopeParams: Parameter[];
}

function subresourcePath(
  kind: KindDef,
  sub: SubresourceDef,
  c: SubCtx,
  defs: Set<string>,
): PathItem | undefined {
  const gvk: Gvk = { group: sub.kind.group, kind: sub.kind.kind, version: sub.kind.version };
  const def = definitionName(sub.kind.group, sub.kind.version, sub.kind.kind);
  if (def) defs.add(def);
  const what = `${sub.name} of the specified ${kind.kind}`;
  const id = (verb: string) => `${verb}${c.stem}${c.scope}${kind.kind}${capitalize(sub.name)}`;
  const extra = SUBRESOURCE_PARAMS[sub.name] ?? [];
  const item: PathItem = { parameters: [c.nameParam, ...c.scopeParams, PRETTY_PARAM] };
  const verbs = new Set(sub.verbs);
  if (CONNECT_SUBRESOURCES.has(sub.name)) {
    const connect = (method: string): Json =>
      operation({
        action: 'connect',
        operationId: id(`connect${method}`),
        description: `connect ${method.toUpperCase()} requests to ${what}`,
        gvk,
        tag: c.tag,
        params: extra,
        responses: { '200': { description: 'OK', content: { '*/*': { schema: { type: 'string' } } } } },
      });
    if (verbs.has('get')) item.get = connect('Get');
    if (verbs.has('create')) item.post = connect('Post');
    return item.get || item.post ? item : undefined;
  }
  if (verbs.has('get'))
    item.get = operation({
      action: 'get',
      operationId: id('read'),
      description: `read ${what}`,
      gvk,
      tag: c.tag,
      params: extra,
      responses: {
        '200': def
          ? response(def, 'OK')
          : { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    });
  if (verbs.has('create'))
    item.post = operation({
      action: 'post',
      operationId: id('create'),
      description: `create ${what}`,
      gvk,
      tag: c.tag,
      params: WRITE_PARAMS,
      body: bodyOf(def),
      responses: {
        '200': response(def, 'OK'),
        '201': response(def, 'Created'),
        '202': response(def, 'Accepted'),
      },
    });
  if (verbs.has('update'))
    item.put = operation({
      action: 'put',
      operationId: id('replace'),
      description: `replace ${what}`,
      gvk,
      tag: c.tag,
      params: WRITE_PARAMS,
      body: bodyOf(def),
      responses: { '200': response(def, 'OK'), '201': response(def, 'Created') },
    });
  if (verbs.has('patch'))
    item.patch = operation({
      action: 'patch',
      operationId: id('patch'),
      description: `partially update ${what}`,
      gvk,
      tag: c.tag,
      params: PATCH_PARAMS,
      body: PATCH_BODY,
      responses: { '200': response(def, 'OK'), '201': response(def, 'Created') },
    });
  return item.get || item.post || item.put || item.patch ? item : undefined;
}
