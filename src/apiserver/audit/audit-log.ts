// The audit log: one audit.k8s.io/v1 Event per request at stage ResponseComplete, as a JSON line,
// at the level the policy picks — Metadata (who, what, when, outcome), Request (+ the request
// body), RequestResponse (+ the response body). The server asks `decide` first, so requests at
// level None cost one policy walk and nothing else.

import { RotatingFile } from './log-file.ts';
import { type AuditPolicy, type AuditRequest, evaluatePolicy, type PolicyDecision } from './policy.ts';

export const STAGE_RESPONSE_COMPLETE = 'ResponseComplete';
const MB = 1024 * 1024;

export interface AuditLogOptions {
  policy: AuditPolicy;
  /** File to append to; '-' writes to stdout. */
  path: string;
  /** Rotate past this many megabytes (upstream's --audit-log-maxsize); 0: never. */
  maxSizeMB?: number;
  /** Rotated files to keep (--audit-log-maxbackup). */
  maxBackups?: number;
}

export interface ObjectRef {
  resource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  subresource?: string;
}

export interface AuditRecord {
  auditID: string;
  decision: PolicyDecision;
  requestURI: string;
  verb: string;
  user: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  impersonatedUser?: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: ObjectRef;
  responseStatus: { code: number; status?: string; reason?: string; message?: string };
  requestObject?: unknown;
  responseObject?: unknown;
  /** Epoch milliseconds (fractional: microseconds kept). */
  received: number;
  completed: number;
  annotations?: Record<string, string>;
}

export class AuditLog {
  readonly #policy: AuditPolicy;
  readonly #file: RotatingFile | undefined;

  constructor(o: AuditLogOptions) {
    this.#policy = o.policy;
    this.#file =
      o.path === '-'
        ? undefined
        : new RotatingFile(o.path, { maxBytes: (o.maxSizeMB ?? 0) * MB, maxBackups: o.maxBackups ?? 0 });
  }

  decide(r: AuditRequest): PolicyDecision {
    return evaluatePolicy(this.#policy, r);
  }

  record(r: AuditRecord): void {
    const { level, omitStages } = r.decision;
    if (level === 'None' || omitStages.includes(STAGE_RESPONSE_COMPLETE)) return;
    const ev: Record<string, unknown> = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level,
      auditID: r.auditID,
      stage: STAGE_RESPONSE_COMPLETE,
      requestURI: r.requestURI,
      verb: r.verb,
      user: r.user,
      ...(r.impersonatedUser ? { impersonatedUser: r.impersonatedUser } : {}),
      sourceIPs: r.sourceIPs,
      ...(r.userAgent ? { userAgent: r.userAgent } : {}),
      ...(r.objectRef ? { objectRef: r.objectRef } : {}),
      responseStatus: { metadata: {}, ...r.responseStatus },
    };
    if ((level === 'Request' || level === 'RequestResponse') && r.requestObject !== undefined)
      ev.requestObject = r.requestObject;
    if (level === 'RequestResponse' && r.responseObject !== undefined) ev.responseObject = r.responseObject;
    ev.requestReceivedTimestamp = microTimestamp(r.received);
    ev.stageTimestamp = microTimestamp(r.completed);
    if (r.annotations && Object.keys(r.annotations).length) ev.annotations = r.annotations;
    const line = `${JSON.stringify(ev)}\n`;
    if (this.#file) this.#file.write(line);
    else process.stdout.write(line);
  }

  close(): void {
    this.#file?.close();
  }
}

/** RFC 3339 with microseconds, as upstream's MicroTime: 2006-01-02T15:04:05.000000Z. */
export function microTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.floor((ms - whole) * 1000);
  return new Date(whole)
    .toISOString()
    .replace(/\.(\d{3})Z$/, (_m, milli: string) => `.${milli}${String(micros).padStart(3, '0')}Z`);
}
