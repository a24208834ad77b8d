// Writing responses: JSON bodies and Status errors. Every failure goes through sendError, the one
// place where errors become Kubernetes Status objects.
import type { ServerResponse } from 'node:http';
import { ApiError, internalError, isApiError } from '../../api/errors.ts';

export const JSON_TYPE = 'application/json';

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = JSON_TYPE): void {
  sendRaw(res, code, typeof body === 'string' ? body : JSON.stringify(body), contentType);
}

export function sendRaw(res: ServerResponse, code: number, text: string | Buffer, contentType: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

/** Map anything thrown to a Status. Non-ApiErrors are bugs: logged, answered 500, never a crash. */
export function toApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  if (err instanceof SyntaxError) return new ApiError(400, 'BadRequest', err.message);
  return internalError(err instanceof Error ? err.message : String(err), err);
}

export function sendError(res: ServerResponse, err: unknown, log?: (err: unknown) => void): number {
  const apiErr = toApiError(err);
  if (apiErr.code >= 500) log?.(err);
  if (res.headersSent) {
    res.destroy();
    return apiErr.code;
  }
  if (apiErr.code === 429 && apiErr.details?.retryAfterSeconds) {
    res.setHeader('Retry-After', String(apiErr.details.retryAfterSeconds));
  }
  sendJson(res, apiErr.code, apiErr.toStatus());
  return apiErr.code;
}
