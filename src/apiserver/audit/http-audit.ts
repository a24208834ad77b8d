// Wires one HTTP request into the audit log: decides the level from the policy once the user is
// known, captures the request body (level Request+) as it streams to the handler and the response
// body (RequestResponse; and any error Status, for responseStatus), and writes the event when the
// response is complete. Requests at level None cost one policy walk.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtobufDecoder } from '../http/body.ts';
import type { RequestContext } from '../registry/context.ts';
import type { RequestInfo } from '../request-info.ts';
import { auditAnnotationsOf } from './annotations.ts';
import type { AuditLog, ObjectRef } from './audit-log.ts';

/** Bodies larger than this are not copied into the audit event (upstream truncates too). */
const MAX_AUDITED_BODY_BYTES = 1024 * 1024;
const ERROR_STATUS = 400;

const nowMs = (): number => performance.timeOrigin + performance.now();

export function auditRequest(
  log: AuditLog,
  info: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  auditId: string,
  requestURI: string,
  protobuf?: ProtobufDecoder,
): void {
  const received = nowMs();
  // The policy and the event's `user` are the authenticated caller; an impersonated identity is
  // recorded beside it as `impersonatedUser`, as upstream's audit filter (outside impersonation).
  const decision = log.decide({
    user: ctx.impersonator ?? ctx.user,
    verb: info.verb,
    resourceRequest: info.isResourceRequest,
    apiGroup: info.group,
    resource: info.resource,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
    path: info.path,
  });
  if (decision.level === 'None') return;
  const wantRequest = decision.level !== 'Metadata';
  const wantResponse = decision.level === 'RequestResponse' && info.verb !== 'watch';
  const reqChunks: Buffer[] = [];
  if (wantRequest) {
    // Observe 'data' as the handler consumes it, without changing the stream's flow.
    const emit = req.emit.bind(req) as (ev: string | symbol, ...args: unknown[]) => boolean;
    req.emit = ((ev: string | symbol, ...args: unknown[]) => {
      if (ev === 'data') reqChunks.push(Buffer.from(args[0] as Buffer));
      return emit(ev, ...args);
    }) as typeof req.emit;
  }
  let resBody: string | undefined;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    const chunk = args[0];
    if (
      (wantResponse || res.statusCode >= ERROR_STATUS) &&
      (typeof chunk === 'string' || Buffer.isBuffer(chunk))
    ) {
      if (chunk.length <= MAX_AUDITED_BODY_BYTES) resBody = chunk.toString();
    }
    return end(...args);
  }) as typeof res.end;
  res.once('close', () => {
    const response = parseJson(resBody);
    const code = res.statusCode;
    const failed = code >= ERROR_STATUS && response && (response as { kind?: string }).kind === 'Status';
    const st = response as { status?: string; reason?: string; message?: string } | undefined;
    log.record({
      auditID: auditId,
      decision,
      requestURI,
      verb: info.verb,
      user: ctx.impersonator ?? ctx.user,
      ...(ctx.impersonator ? { impersonatedUser: ctx.user } : {}),
      sourceIPs: sourceIps(req),
      userAgent: req.headers['user-agent'],
      objectRef: info.isResourceRequest ? objectRef(info) : undefined,
      responseStatus: failed
        ? { code, status: st?.status, reason: st?.reason, message: st?.message }
        : { code },
      requestObject: wantRequest ? requestObject(req, reqChunks, protobuf) : undefined,
      responseObject: wantResponse && !failed ? response : undefined,
      received,
      completed: nowMs(),
      annotations: auditAnnotationsOf(ctx),
    });
  });
}

function objectRef(info: RequestInfo): ObjectRef {
  return {
    resource: info.resource,
    ...(info.namespace ? { namespace: info.namespace } : {}),
    ...(info.name ? { name: info.name } : {}),
    ...(info.group ? { apiGroup: info.group } : {}),
    apiVersion: info.version,
    ...(info.subresource ? { subresource: info.subresource } : {}),
  };
}

function sourceIps(req: IncomingMessage): string[] {
  const ips: string[] = [];
  const fwd = req.headers['x-forwarded-for'];
  if (typeof fwd === 'string') for (const ip of fwd.split(',')) if (ip.trim()) ips.push(ip.trim());
  const remote = req.socket?.remoteAddress;
  if (remote && !ips.includes(remote)) ips.push(remote);
  return ips;
}

function requestObject(req: IncomingMessage, chunks: Buffer[], protobuf?: ProtobufDecoder): unknown {
  if (chunks.length === 0) return undefined;
  const body = Buffer.concat(chunks);
  if (body.length > MAX_AUDITED_BODY_BYTES) return undefined;
  const type = String(req.headers['content-type'] ?? '');
  // JSON (and JSON patches) and Kubernetes protobuf are logged as objects; YAML bodies are not.
  if (type.includes('json')) return parseJson(body.toString('utf8'));
  if (type.startsWith('application/vnd.kubernetes.protobuf') && protobuf) {
    try {
      return protobuf(body);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function parseJson(s: string | undefined): unknown {
  if (s === undefined) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
