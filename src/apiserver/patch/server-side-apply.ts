// A server-side apply request (PATCH with application/apply-patch+yaml): decode the configuration,
// apply it to the live object through the field manager, and create the object when it does not
// exist yet (201). Conflicts come back as 409 from the field manager.
import { ApiError, badRequest, conflict, isApiError } from '../../api/errors.ts';
import type { KObject } from '../../api/object.ts';
import { lazyRequire, yaml } from '../../util/lazy-require.ts';
import { applyObject, type FieldManagerScope } from '../managedfields/field-manager.ts';
import type { RequestContext } from '../registry/context.ts';
import { nowTimestamp } from '../registry/object-meta.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import { schemaOfKind } from './schema.ts';

export type ApplyValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ApplyRequest {
  namespace: string;
  name: string;
  /** '' or 'status'. */
  subresource: string;
  body: Buffer;
  fieldManager: string;
  force: boolean;
  validation: ApplyValidation;
}

export interface ApplyOutcome {
  obj: KObject;
  created: boolean;
}

/** A create racing ours is retried as an update this many times. */
const MAX_CREATE_RACES = 3;

export async function serverSideApply(
  store: ResourceStore,
  req: ApplyRequest,
  ctx: RequestContext,
): Promise<ApplyOutcome> {
  const config = decodeConfig(req.body);
  checkStrictYaml(req, ctx);
  const k = store.kind;
  const scope: FieldManagerScope = {
    group: k.group,
    version: k.version,
    kind: k.kind,
    schema: schemaOfKind(k.group, k.version, k.kind),
    subresource: req.subresource,
    hasStatus: k.hasStatus,
  };
  const opts = { manager: req.fieldManager, force: req.force, now: nowTimestamp() };
  let outcome: ApplyOutcome | undefined;
  for (let attempt = 0; !outcome; attempt++) {
    const live = await getOrUndefined(store, req.namespace, req.name);
    if (!live) {
      if (req.subresource) throw notFoundFor(store, req.name);
      checkName(config, undefined, req.name);
      const uid = (config.metadata as { uid?: unknown } | undefined)?.uid;
      if (uid) {
        throw conflict(
          k.plural,
          req.name,
          `uid mismatch: the provided object specified uid ${String(uid)}, and no existing object was found`,
          k.group,
        );
      }
      const obj = applyObject(scope, undefined, config, opts) as KObject;
      try {
        outcome = {
          obj: await store.create(req.namespace, obj, ctx, { managedFieldsComputed: true }),
          created: true,
        };
      } catch (err) {
        if (!(isApiError(err) && err.reason === 'AlreadyExists' && attempt < MAX_CREATE_RACES)) throw err;
      }
      continue;
    }
    const updated = await store.guaranteedUpdate(
      req.namespace,
      req.name,
      ctx,
      (cur) => {
        checkName(config, cur, req.name);
        return applyObject(scope, cur, config, opts) as KObject;
      },
      req.subresource,
      { managedFieldsComputed: true },
    );
    outcome = { obj: updated, created: false };
  }
  return outcome;
}

async function getOrUndefined(
  store: ResourceStore,
  namespace: string,
  name: string,
): Promise<KObject | undefined> {
  try {
    return (await store.getStored(namespace, name)).obj;
  } catch (err) {
    if (isApiError(err) && err.reason === 'NotFound') return undefined;
    throw err;
  }
}

const notFoundFor = (store: ResourceStore, name: string): ApiError =>
  new ApiError(
    404,
    'NotFound',
    `${store.kind.plural}${store.kind.group ? `.${store.kind.group}` : ''} "${name}" not found`,
    { name, ...(store.kind.group ? { group: store.kind.group } : {}), kind: store.kind.plural },
  );

/** The configuration must name the object of the URL (or leave the live name in place). */
function checkName(config: Record<string, unknown>, live: KObject | undefined, urlName: string): void {
  const meta = config.metadata as { name?: unknown } | undefined;
  const name = typeof meta?.name === 'string' && meta.name ? meta.name : (live?.metadata?.name ?? '');
  if (name !== urlName) {
    throw badRequest(`the name of the object (${name}) does not match the name on the URL (${urlName})`);
  }
}

function decodeConfig(body: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = yaml().parse(body.toString('utf8'), { version: '1.1', uniqueKeys: false });
  } catch (err) {
    throw badRequest(`error decoding YAML: ${firstLine((err as Error).message)}`);
  }
  if (v === null || v === undefined) v = {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw badRequest(
      `error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type map[string]interface {}`,
    );
  }
  return v as Record<string, unknown>;
}

/** Strict validation also refuses duplicate keys; Warn reports them. */
function checkStrictYaml(req: ApplyRequest, ctx: RequestContext): void {
  if (req.validation === 'Ignore') return;
  const text = req.body.toString('utf8');
  try {
    yaml().parse(text, { version: '1.1', uniqueKeys: true });
  } catch (err) {
    const e = err as { code?: string; linePos?: Array<{ line: number; col: number }> };
    if (e.code !== 'DUPLICATE_KEY' || !e.linePos) return;
    const { line, col } = e.linePos[0];
    const key = (text.split('\n')[line - 1] ?? '')
      .slice(col - 1)
      .split(':')[0]
      .trim();
    const msg = `error converting YAML to JSON: yaml: unmarshal errors:\n  line ${line}: key ${JSON.stringify(key)} already set in map`;
    if (req.validation === 'Strict') throw badRequest(`error strict decoding YAML: ${msg}`);
    ctx.warnings.push(msg);
  }
}

const firstLine = (s: string): string => s.split('\n')[0];
