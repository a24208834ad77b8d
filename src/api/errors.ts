// One typed error for everything the API can refuse, translated once to a Kubernetes Status at
// the edge (apiserver). Messages follow upstream's shapes, because kubectl prints them verbatim.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

/** `details.causes[]`; `reason` is upstream's CauseType (FieldValueRequired, FieldValueInvalid, …). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails, cause?: unknown) {
    super(message, { cause });
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

export const isApiError = (err: unknown): err is ApiError => err instanceof ApiError;

/** `pods`, or `deployments.apps` — upstream's qualified resource in messages. */
export const qualifiedResource = (resource: string, group = ''): string =>
  group ? `${resource}.${group}` : resource;

export const badRequest = (message: string, causes?: StatusCause[]): ApiError =>
  new ApiError(400, 'BadRequest', message, causes ? { causes } : undefined);

export const unauthorized = (message = 'Unauthorized'): ApiError =>
  new ApiError(401, 'Unauthorized', message);

export const forbidden = (message: string, details?: StatusDetails): ApiError =>
  new ApiError(403, 'Forbidden', message, details);

export const notFound = (resource: string, name: string, group = ''): ApiError =>
  new ApiError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });

/** A path or type the server does not serve (no name). */
export const notFoundPath = (message = 'the server could not find the requested resource'): ApiError =>
  new ApiError(404, 'NotFound', message, {});

export const methodNotAllowed = (verb: string, resource: string): ApiError =>
  new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${resource}"`);

export const notAcceptable = (message: string): ApiError => new ApiError(406, 'NotAcceptable', message);

export const alreadyExists = (resource: string, name: string, group = ''): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });

export const conflict = (resource: string, name: string, reason: string, group = ''): ApiError =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${reason}`,
    { name, ...(group ? { group } : {}), kind: resource },
  );

export const OBJECT_MODIFIED =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 410 for a watch or list below the compaction watermark. */
export const expired = (message: string): ApiError => new ApiError(410, 'Expired', message);
export const gone = (message: string): ApiError => new ApiError(410, 'Gone', message);

export const tooLarge = (message = 'the request entity is too large'): ApiError =>
  new ApiError(413, 'RequestEntityTooLarge', message);

export const unsupportedMediaType = (contentType: string): ApiError =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`,
  );

/** One validation failure at a field path, like upstream's field.Error. */
export interface FieldError {
  /** FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong, FieldValueTypeInvalid */
  type: string;
  field: string;
  /** The text after the field path, e.g. `Required value` or `Invalid value: "x": must be …`. */
  detail: string;
}

export const fieldRequired = (field: string, detail = ''): FieldError => ({
  type: 'FieldValueRequired',
  field,
  detail: detail ? `Required value: ${detail}` : 'Required value',
});

export const fieldInvalid = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  detail: `Invalid value: ${formatValue(value)}${detail ? `: ${detail}` : ''}`,
});

export const fieldNotSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  detail: `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
});

export const fieldDuplicate = (field: string, value: unknown): FieldError => ({
  type: 'FieldValueDuplicate',
  field,
  detail: `Duplicate value: ${formatValue(value)}`,
});

export const fieldForbidden = (field: string, detail: string): FieldError => ({
  type: 'FieldValueForbidden',
  field,
  detail: `Forbidden: ${detail}`,
});

export const fieldTooLong = (field: string, _value: unknown, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  detail: `Too long: may not be more than ${max} bytes`,
});

export const fieldTypeInvalid = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueTypeInvalid',
  field,
  detail: `Invalid value: ${formatValue(value)}: ${detail}`,
});

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * 422 Invalid, message as upstream: `Pod "bad" is invalid: spec.containers[0].image: Required value`
 * (several errors: `[a: x, b: y]`).
 */
export const invalid = (kind: string, name: string, errors: FieldError[], group = ''): ApiError => {
  const parts = errors.map((e) => `${e.field}: ${e.detail}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
  });
};

export const tooManyRequests = (message: string, retryAfterSeconds?: number): ApiError =>
  new ApiError(429, 'TooManyRequests', message, retryAfterSeconds ? { retryAfterSeconds } : undefined);

export const internalError = (message: string, cause?: unknown): ApiError =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, undefined, cause);

export const serviceUnavailable = (message: string): ApiError =>
  new ApiError(503, 'ServiceUnavailable', message);

export const timeout = (message: string): ApiError => new ApiError(504, 'Timeout', message);
