// create, update (PUT), patch, delete and deletecollection for any kind, plus the generic
// subresources (status, scale). Bodies are decoded here; the registry does the semantics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Operation } from 'fast-json-patch';
import {
  ApiError,
  badRequest,
  type FieldError,
  fieldForbidden,
  fieldInvalid,
  fieldRequired,
  invalid,
  unsupportedMediaType,
} from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';
import { strictDecodingMessage, unknownFieldMessage } from '../../api/schemas/unknown-fields.ts';
import { lazyRequire } from '../../util/lazy-require.ts';
import {
  decodeObjectBody,
  expectObject,
  mediaTypeOf,
  type ProtobufDecoder,
  parseJson,
  readBody,
} from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { managerOrUserAgent, validateFieldManager } from '../managedfields/manager-name.ts';
import { goValue } from '../patch/go-format.ts';
import { applyMergePatch } from '../patch/merge-patch.ts';
import { type SchemaNode, schemaOfKind } from '../patch/schema.ts';
import { serverSideApply } from '../patch/server-side-apply.ts';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch.ts';
import type { RequestContext } from '../registry/context.ts';
import type { DeleteOptions, ResourceStore } from '../registry/resource-store.ts';
import { buildFilter } from './filter.ts';
import { listEntries, type ReadDeps } from './read.ts';

/** Loaded on the first JSON patch, not by every idle server. */
const jsonpatch = lazyRequire<typeof import('fast-json-patch')>('fast-json-patch');

export type UnknownFieldFinder = (group: string, version: string, kind: string, obj: unknown) => string[];

export interface WriteDeps extends ReadDeps {
  protobuf?: ProtobufDecoder;
  unknownFields?: UnknownFieldFinder;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(
    `fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`,
  );
}

export function parseDryRun(q: URLSearchParams): boolean {
  const all = q.getAll('dryRun');
  for (const v of all)
    if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return all.length > 0;
}

/** Check the body's apiVersion/kind against the endpoint, as upstream's decoder does. */
function checkTypeMeta(
  store: ResourceStore,
  obj: Record<string, unknown>,
  expectKind = store.kind.kind,
  expectVersion = store.apiVersion,
): void {
  if (obj.apiVersion !== undefined && obj.apiVersion !== expectVersion) {
    throw badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expectVersion})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== expectKind) {
    throw badRequest(
      `the kind in the data (${String(obj.kind)}) does not match the expected kind (${expectKind})`,
    );
  }
  if (
    obj.metadata !== undefined &&
    (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))
  ) {
    throw badRequest('metadata must be an object');
  }
}

function checkUnknownFields(
  deps: WriteDeps,
  store: ResourceStore,
  obj: unknown,
  mode: FieldValidation,
  ctx: RequestContext,
): void {
  if (mode === 'Ignore' || !deps.unknownFields) return;
  const k = store.kind;
  const unknown = deps.unknownFields(k.group, k.version, k.kind, obj);
  if (unknown.length === 0) return;
  if (mode === 'Strict') {
    // Upstream's decoder wraps the strict error: `Pod in version "v1" cannot be handled as a Pod: …`.
    throw badRequest(
      `${k.kind} in version ${JSON.stringify(k.version)} cannot be handled as a ${k.kind}: ${strictDecodingMessage(unknown)}`,
    );
  }
  for (const f of unknown) ctx.warnings.push(unknownFieldMessage(f));
}

export async function handleCreate(
  deps: WriteDeps,
  store: ResourceStore,
  namespace: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const mode = parseFieldValidation(query);
  ctx.fieldManager = writeFieldManager(query, req, 'CreateOptions');
  const body = expectObject(decodeObjectBody(req, await readBody(req), deps.protobuf));
  checkTypeMeta(store, body);
  checkUnknownFields(deps, store, body, mode, ctx);
  const created = await store.create(namespace, body as KObject, ctx);
  sendJson(res, 201, store.present(created));
}

export async function handleUpdate(
  deps: WriteDeps,
  store: ResourceStore,
  namespace: string,
  name: string,
  subresource: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const mode = parseFieldValidation(query);
  ctx.fieldManager = writeFieldManager(query, req, 'UpdateOptions');
  const body = expectObject(decodeObjectBody(req, await readBody(req), deps.protobuf));
  if (subresource === 'scale') {
    checkTypeMeta(store, body, 'Scale', 'autoscaling/v1');
    const scale = await updateScale(store, namespace, name, ctx, () => body as KObject);
    sendJson(res, 200, scale);
    return;
  }
  checkTypeMeta(store, body);
  checkUnknownFields(deps, store, body, mode, ctx);
  const updated = await store.update(namespace, name, body as KObject, ctx, subresource);
  sendJson(res, 200, store.present(updated));
}

// --- patch -------------------------------------------------------------------------------------
// Four patch types, as upstream: JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic
// merge patch (merge keys and directives from the kind's schema) and server-side apply.

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** Types without a schema (custom resources) cannot take strategic merge patches. */
const patchTypesFor = (schema: SchemaNode | undefined): string[] =>
  schema
    ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH]
    : [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];

const unsupportedPatchType = (accepted: string[]): ApiError =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

/** A decoded patch document, ready to apply to the current object. */
interface DecodedPatch {
  type: string;
  doc: unknown;
}

function decodePatch(type: string, raw: Buffer): DecodedPatch {
  const doc = parseJson(raw);
  if (type === JSON_PATCH && !Array.isArray(doc))
    throw badRequest('json patch must be an array of operations');
  if (type === STRATEGIC_MERGE_PATCH && (typeof doc !== 'object' || doc === null || Array.isArray(doc))) {
    throw badRequest(
      `json: cannot unmarshal ${Array.isArray(doc) ? 'array' : doc === null ? 'null' : typeof doc} into Go value of type map[string]interface {}`,
    );
  }
  return { type, doc };
}

/** Apply a decoded patch to a JSON object (not modified). */
export function applyPatch(patch: DecodedPatch, target: KObject, schema?: SchemaNode): KObject {
  if (patch.type === JSON_PATCH) {
    try {
      return jsonpatch().applyPatch(structuredClone(target), patch.doc as Operation[], true, false)
        .newDocument as KObject;
    } catch (err) {
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${(err as Error).message.split('\n')[0]}`,
      );
    }
  }
  if (patch.type === MERGE_PATCH) {
    return expectObject(applyMergePatch(target, patch.doc), 'object after patching') as KObject;
  }
  if (patch.type === STRATEGIC_MERGE_PATCH) {
    return applyStrategicMergePatch(target, patch.doc as Record<string, unknown>, schema) as KObject;
  }
  throw unsupportedMediaType(patch.type);
}

/** PatchOptions as upstream validates them (422 PatchOptions.meta.k8s.io). */
function parsePatchOptions(query: URLSearchParams, type: string): { fieldManager: string; force?: boolean } {
  const fieldManager = query.get('fieldManager') ?? '';
  const rawForce = query.get('force');
  const force = rawForce === null ? undefined : parseBool(rawForce);
  const errs: FieldError[] = [];
  if (type !== APPLY_PATCH) {
    if (force !== undefined) errs.push(fieldForbidden('force', 'may not be specified for non-apply patch'));
  } else if (!fieldManager) {
    errs.push(fieldRequired('fieldManager', 'is required for apply patch'));
  }
  errs.push(...validateFieldManager(fieldManager));
  if (errs.length) throw invalid('PatchOptions', '', errs, 'meta.k8s.io');
  return { fieldManager, force };
}

/** Go's strconv.ParseBool, which decodes the force parameter. */
function parseBool(v: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

/** The manager a create/update is recorded under; a given fieldManager must be valid. */
function writeFieldManager(query: URLSearchParams, req: IncomingMessage, optionsKind: string): string {
  const given = query.get('fieldManager') ?? '';
  const errs = validateFieldManager(given);
  if (errs.length) throw invalid(optionsKind, '', errs, 'meta.k8s.io');
  return managerOrUserAgent(given, req.headers['user-agent']);
}

/**
 * Unknown fields in a patched object: upstream reports them as an invalid `patch` (422) in Strict
 * mode, and as warnings in Warn mode. `shown` is what upstream prints as the invalid value.
 */
function checkPatchedUnknownFields(
  deps: WriteDeps,
  store: ResourceStore,
  obj: KObject,
  mode: FieldValidation,
  ctx: RequestContext,
  shown: () => string,
): void {
  if (mode === 'Ignore' || !deps.unknownFields) return;
  const k = store.kind;
  const unknown = deps.unknownFields(k.group, k.version, k.kind, obj);
  if (unknown.length === 0) return;
  if (mode === 'Strict') {
    const detail = `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`;
    throw invalid('', '', [fieldInvalid('patch', shown(), detail)]);
  }
  for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
}

export async function handlePatch(
  deps: WriteDeps,
  store: ResourceStore,
  namespace: string,
  name: string,
  subresource: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const type = mediaTypeOf(req);
  const k = store.kind;
  const schema = schemaOfKind(k.group, k.version, k.kind);
  const accepted = patchTypesFor(schema);
  if (!accepted.includes(type)) throw unsupportedPatchType(accepted);
  const mode = parseFieldValidation(query);
  const options = parsePatchOptions(query, type);
  ctx.fieldManager = managerOrUserAgent(options.fieldManager, req.headers['user-agent']);
  const raw = await readBody(req);
  if (type === APPLY_PATCH) {
    // Field ownership is tracked in the stored version's terms; applying through a converted view
    // would compare a v1 intent with v2 fields. Upstream converts managed fields too; not done here.
    if (k.viewOf) throw unsupportedPatchType(accepted.filter((t) => t !== APPLY_PATCH));
    if (subresource && subresource !== 'status')
      throw unsupportedPatchType(accepted.filter((t) => t !== APPLY_PATCH));
    const out = await serverSideApply(
      store,
      {
        namespace,
        name,
        subresource,
        body: raw,
        fieldManager: options.fieldManager,
        force: !!options.force,
        validation: mode,
      },
      ctx,
    );
    sendJson(res, out.created ? 201 : 200, store.present(out.obj));
    return;
  }
  const patch = decodePatch(type, raw);
  if (subresource === 'scale') {
    const scale = await updateScale(store, namespace, name, ctx, (cur) => applyPatch(patch, cur));
    sendJson(res, 200, scale);
    return;
  }
  const updated = await store.guaranteedUpdate(
    namespace,
    name,
    ctx,
    (cur) => {
      const out = applyPatch(patch, cur, schema);
      checkPatchedUnknownFields(deps, store, out, mode, ctx, () =>
        type === STRATEGIC_MERGE_PATCH ? goValue(patch.doc) : JSON.stringify(out),
      );
      return out;
    },
    subresource,
  );
  sendJson(res, 200, store.present(updated));
}

// --- scale subresource -------------------------------------------------------------------------

function getPath(obj: KObject, path: string[]): unknown {
  let v: unknown = obj;
  for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
  return v;
}

function setPath(obj: KObject, path: string[], value: unknown): void {
  let o: Record<string, unknown> = obj;
  for (const p of path.slice(0, -1)) {
    o[p] ??= {};
    o = o[p] as Record<string, unknown>;
  }
  o[path[path.length - 1]] = value;
}

export function toScale(store: ResourceStore, obj: KObject): KObject {
  const def = store.kind.scale!;
  const m = obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: Number(getPath(obj, def.specReplicasPath) ?? 0) },
    status: { replicas: Number(getPath(obj, def.statusReplicasPath) ?? 0), selector: def.selector(obj) },
  };
}

async function updateScale(
  store: ResourceStore,
  namespace: string,
  name: string,
  ctx: RequestContext,
  change: (cur: KObject) => KObject,
): Promise<KObject> {
  const def = store.kind.scale;
  if (!def) throw badRequest(`${store.kind.plural} do not have a scale subresource`);
  const updated = await store.guaranteedUpdate(namespace, name, ctx, (cur) => {
    const scale = change(toScale(store, cur));
    const replicas = scale.spec?.replicas;
    if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
      throw new ApiError(
        422,
        'Invalid',
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        {
          name,
          group: 'autoscaling',
          kind: 'Scale',
          causes: [
            {
              reason: 'FieldValueInvalid',
              message: 'Invalid value: must be greater than or equal to 0',
              field: 'spec.replicas',
            },
          ],
        },
      );
    }
    setPath(cur, def.specReplicasPath, replicas ?? 0);
    // A resourceVersion in the Scale is a precondition on the parent object, as upstream.
    const rv = scale.metadata?.resourceVersion;
    if (rv && cur.metadata) cur.metadata.resourceVersion = rv;
    return cur;
  });
  return toScale(store, updated);
}

// --- delete ------------------------------------------------------------------------------------

export async function readDeleteOptions(
  deps: WriteDeps,
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<DeleteOptions> {
  const raw = await readBody(req);
  let opts: Record<string, unknown> = {};
  if (raw.length > 0) opts = expectObject(decodeObjectBody(req, raw, deps.protobuf), 'DeleteOptions');
  const g = query.get('gracePeriodSeconds');
  if (g !== null) {
    if (!/^-?\d+$/.test(g)) throw badRequest(`invalid gracePeriodSeconds: ${JSON.stringify(g)}`);
    opts.gracePeriodSeconds = Number(g);
  }
  const pp = query.get('propagationPolicy');
  if (pp !== null) opts.propagationPolicy = pp;
  const policy = opts.propagationPolicy;
  if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
    throw new ApiError(
      422,
      'Invalid',
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`,
      {
        causes: [
          { reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: 'Unsupported value' },
        ],
      },
    );
  }
  if (opts.gracePeriodSeconds !== undefined && typeof opts.gracePeriodSeconds !== 'number') {
    throw badRequest('gracePeriodSeconds must be an integer');
  }
  return opts as DeleteOptions;
}

export async function handleDelete(
  deps: WriteDeps,
  store: ResourceStore,
  namespace: string,
  name: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const opts = await readDeleteOptions(deps, req, query);
  if (opts.dryRun?.includes('All')) ctx.dryRun = true;
  const out = await store.delete(namespace, name, opts, ctx);
  sendJson(res, out.deleted ? 200 : 202, store.present(out.obj));
}

export async function handleDeleteCollection(
  deps: WriteDeps,
  store: ResourceStore,
  namespace: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
): Promise<void> {
  const opts = await readDeleteOptions(deps, req, query);
  const filter = buildFilter(store.kind, namespace, query);
  const listQuery = new URLSearchParams(query);
  listQuery.delete('limit');
  listQuery.delete('continue');
  const page = await listEntries(deps, store, filter, listQuery);
  const items: KObject[] = [];
  for (const e of page.entries) {
    try {
      const out = await store.delete(e.namespace, e.name, opts, ctx);
      items.push(store.present(out.obj));
    } catch (err) {
      if ((err as ApiError).reason !== 'NotFound') throw err;
    }
  }
  sendJson(res, 200, { kind: store.kind.listKind, apiVersion: store.apiVersion, metadata: {}, items });
}
