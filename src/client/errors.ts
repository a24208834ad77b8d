// Server failures come back as the same ApiError the server threw (src/api/errors.ts), decoded from
// the Status body, so callers branch on `err.reason === 'NotFound'` / `err.code === 409` on either
// side of the wire. Bodies that are not a Status (a proxy's HTML, an empty 503) get the reason
// client-go infers from the HTTP code.
import { ApiError, type Status, type StatusReason } from '../api/errors.ts';

/** client-go's reasonForError fallbacks, by HTTP status. */
const REASON_BY_CODE: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** client-go's generic messages for a failure without a Status body. */
const MESSAGE_BY_CODE: Record<number, string> = {
  401: 'Unauthorized',
  403: 'forbidden',
  404: 'the server could not find the requested resource',
  409: 'the server reported a conflict',
  429: 'the server has received too many requests and has asked us to try again later',
  500: 'an error on the server has prevented the request from succeeding',
  503: 'the server is currently unable to handle the request',
  504: 'the server was unable to return a response in the time allotted, but may still be processing the request',
};

export const isStatus = (v: unknown): v is Status =>
  typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';

/** An ApiError from a Status object (a response body or a watch ERROR event). */
export function statusToError(s: Status, httpCode?: number): ApiError {
  const code = typeof s.code === 'number' && s.code > 0 ? s.code : (httpCode ?? 500);
  const reason = s.reason || REASON_BY_CODE[code] || 'InternalError';
  return new ApiError(code, reason, s.message || MESSAGE_BY_CODE[code] || `status ${code}`, s.details);
}

/** An ApiError for a failed response whatever its body. */
export function responseError(status: number, body: string, retryAfter?: string): ApiError {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return statusToError(parsed, status);
  const reason = REASON_BY_CODE[status] ?? (status >= 500 ? 'InternalError' : 'BadRequest');
  const message = MESSAGE_BY_CODE[status] ?? `the server responded with the status code ${status}`;
  const details: { retryAfterSeconds?: number; causes: { reason: string; message: string }[] } = {
    causes: [{ reason: 'UnexpectedServerResponse', message: body.slice(0, 512) }],
  };
  const retry = retryAfter ? Number(retryAfter) : Number.NaN;
  if (Number.isFinite(retry)) details.retryAfterSeconds = retry;
  return new ApiError(status, reason, message, details);
}

/** A 410 means the requested resourceVersion was compacted: re-list. */
export const isGone = (err: unknown): boolean => err instanceof ApiError && err.code === 410;

export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.reason === 'NotFound';
export const isConflict = (err: unknown): boolean => err instanceof ApiError && err.reason === 'Conflict';
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof ApiError && err.reason === 'AlreadyExists';
