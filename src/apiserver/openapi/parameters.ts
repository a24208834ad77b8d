// The query and path parameters of the OpenAPI operations, grouped by what the operation does.
// kubectl reads one of them: a PATCH operation declaring `fieldValidation` in the query is how
// it learns the server validates fields itself (and then sends fieldValidation=Strict).

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'boolean' | 'integer'; uniqueItems?: boolean };
}

const query = (name: string, type: Parameter['schema']['type'], description: string): Parameter => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});

const path = (name: string, description: string): Parameter => ({
  name,
  in: 'path',
  description,
  required: true,
  schema: { type: 'string', uniqueItems: true },
});

export const NAME_PARAM = (kind: string): Parameter => path('name', `name of the ${kind}`);
export const NAMESPACE_PARAM = path('namespace', 'namespace of the object (the authorization scope)');
export const PRETTY_PARAM = query('pretty', 'string', "'true' indents the JSON response");

const ALLOW_WATCH_BOOKMARKS = query('allowWatchBookmarks', 'boolean', 'ask a watch for BOOKMARK events');
const CONTINUE = query('continue', 'string', 'token from the previous page of a chunked list');
const FIELD_SELECTOR = query(
  'fieldSelector',
  'string',
  'only objects whose fields match, e.g. spec.nodeName=n1',
);
const LABEL_SELECTOR = query(
  'labelSelector',
  'string',
  'only objects whose labels match, e.g. app=web,tier in (a,b)',
);
const LIMIT = query('limit', 'integer', 'most items to return; the rest is reached with continue');
const RESOURCE_VERSION = query(
  'resourceVersion',
  'string',
  'serve from this resource version (list) or after it (watch)',
);
const RESOURCE_VERSION_MATCH = query(
  'resourceVersionMatch',
  'string',
  'how resourceVersion applies to a list: Exact or NotOlderThan',
);
const SEND_INITIAL_EVENTS = query(
  'sendInitialEvents',
  'boolean',
  'start a watch with the current objects as ADDED events',
);
const TIMEOUT_SECONDS = query('timeoutSeconds', 'integer', 'end the list or watch after this many seconds');
const WATCH = query('watch', 'boolean', 'stream changes instead of returning a list');
const DRY_RUN = query('dryRun', 'string', "'All' runs every stage of the request but persists nothing");
const FIELD_MANAGER = query(
  'fieldManager',
  'string',
  'name of the actor making the change, recorded in managedFields',
);
/** The parameter kubectl's strict-validation probe looks for on PATCH operations. */
export const FIELD_VALIDATION = query(
  'fieldValidation',
  'string',
  'what to do with unknown or duplicate fields: Ignore, Warn (the default) or Strict (reject with 400)',
);
const FORCE = query('force', 'boolean', 'for apply patches: take over fields other managers own');
const GRACE_PERIOD = query(
  'gracePeriodSeconds',
  'integer',
  'seconds before the object is deleted; 0 means now',
);
const ORPHAN_DEPENDENTS = query('orphanDependents', 'boolean', 'deprecated: use propagationPolicy');
const PROPAGATION_POLICY = query(
  'propagationPolicy',
  'string',
  'dependents: Orphan, Background or Foreground',
);

export const LIST_PARAMS: readonly Parameter[] = [
  ALLOW_WATCH_BOOKMARKS,
  CONTINUE,
  FIELD_SELECTOR,
  LABEL_SELECTOR,
  LIMIT,
  RESOURCE_VERSION,
  RESOURCE_VERSION_MATCH,
  SEND_INITIAL_EVENTS,
  TIMEOUT_SECONDS,
  WATCH,
];
export const WRITE_PARAMS: readonly Parameter[] = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
export const PATCH_PARAMS: readonly Parameter[] = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE];
export const DELETE_PARAMS: readonly Parameter[] = [
  DRY_RUN,
  GRACE_PERIOD,
  ORPHAN_DEPENDENTS,
  PROPAGATION_POLICY,
];
export const DELETE_COLLECTION_PARAMS: readonly Parameter[] = [
  CONTINUE,
  DRY_RUN,
  FIELD_SELECTOR,
  GRACE_PERIOD,
  LABEL_SELECTOR,
  LIMIT,
  ORPHAN_DEPENDENTS,
  PROPAGATION_POLICY,
  RESOURCE_VERSION,
  RESOURCE_VERSION_MATCH,
  SEND_INITIAL_EVENTS,
  TIMEOUT_SECONDS,
];

const CONTAINER = query('container', 'string', 'the container, when the pod has several');
const STREAMS = [
  query('stderr', 'boolean', 'attach standard error'),
  query('stdin', 'boolean', 'attach standard input'),
  query('stdout', 'boolean', 'attach standard output'),
  query('tty', 'boolean', 'allocate a terminal'),
];

/** Query parameters of the pod subresources that take options in the URL. */
export const SUBRESOURCE_PARAMS: Readonly<Record<string, readonly Parameter[]>> = {
  log: [
    CONTAINER,
    query('follow', 'boolean', 'keep streaming new log lines'),
    query('limitBytes', 'integer', 'stop after this many bytes'),
    query('previous', 'boolean', 'the log of the previous, terminated container'),
    query('sinceSeconds', 'integer', 'only lines newer than this many seconds'),
    query('tailLines', 'integer', 'only this many lines from the end'),
    query('timestamps', 'boolean', 'prefix every line with its RFC3339 timestamp'),
  ],
  exec: [
    query('command', 'string', 'the command and its arguments, one parameter each'),
    CONTAINER,
    ...STREAMS,
  ],
  attach: [CONTAINER, ...STREAMS],
  portforward: [query('ports', 'integer', 'pod ports to forward')],
};
