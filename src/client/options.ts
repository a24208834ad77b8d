// Request options as the API takes them: query parameters for reads and writes, a DeleteOptions
// body for deletes (gracePeriodSeconds, propagationPolicy, preconditions), and their encoding.

/** A label selector as text (`app=web,tier!=db`) or as equality pairs. */
export type LabelSelectorInput = string | Record<string, string>;

export interface CallOptions {
  /** Aborts the request (and ends a watch or a streamed log). */
  signal?: AbortSignal;
}

export interface GetOptions extends CallOptions {
  /** '' (default): the latest; '0': any cached version. */
  resourceVersion?: string;
}

export interface ListOptions extends CallOptions {
  labelSelector?: LabelSelectorInput;
  fieldSelector?: string | Record<string, string>;
  /** Page size; the server answers `metadata.continue` when more remain. */
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
}

export interface WatchOptions extends CallOptions {
  labelSelector?: LabelSelectorInput;
  fieldSelector?: string | Record<string, string>;
  /** Events strictly after this version; absent or '0': synthetic ADDED events for current state first. */
  resourceVersion?: string;
  /** The server ends the watch after this long (informers re-watch). */
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export interface WriteOptions extends CallOptions {
  /** Run admission and validation but persist nothing. */
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions extends CallOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

const pairs = (v: string | Record<string, string>): string =>
  typeof v === 'string'
    ? v
    : Object.entries(v)
        .map(([k, val]) => `${k}=${val}`)
        .join(',');

/** Query parameters in a stable order (tests and server logs read them). */
export function listQuery(o: ListOptions | WatchOptions, watch = false): URLSearchParams {
  const q = new URLSearchParams();
  if ('allowWatchBookmarks' in o && o.allowWatchBookmarks) q.set('allowWatchBookmarks', 'true');
  if ('continue' in o && o.continue) q.set('continue', o.continue);
  if (o.fieldSelector !== undefined) q.set('fieldSelector', pairs(o.fieldSelector));
  if (o.labelSelector !== undefined) q.set('labelSelector', pairs(o.labelSelector));
  if ('limit' in o && o.limit) q.set('limit', String(o.limit));
  if (o.resourceVersion !== undefined) q.set('resourceVersion', o.resourceVersion);
  if ('resourceVersionMatch' in o && o.resourceVersionMatch)
    q.set('resourceVersionMatch', o.resourceVersionMatch);
  if (o.timeoutSeconds !== undefined) q.set('timeoutSeconds', String(o.timeoutSeconds));
  if (watch) q.set('watch', 'true');
  return q;
}

export function writeQuery(o: WriteOptions | PatchOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (o.dryRun) q.set('dryRun', 'All');
  if (o.fieldManager) q.set('fieldManager', o.fieldManager);
  if (o.fieldValidation) q.set('fieldValidation', o.fieldValidation);
  if ('force' in o && o.force !== undefined) q.set('force', String(o.force));
  return q;
}

/** The meta/v1 DeleteOptions body, or undefined when nothing beyond defaults was asked for. */
export function deleteBody(o: DeleteOptions): string | undefined {
  const body: Record<string, unknown> = {};
  if (o.dryRun) body.dryRun = ['All'];
  if (o.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.propagationPolicy) body.propagationPolicy = o.propagationPolicy;
  if (o.preconditions) body.preconditions = o.preconditions;
  if (Object.keys(body).length === 0) return undefined;
  return JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...body });
}
