// Audit annotations a request gathers on its way (admission plugins add them: PodSecurity's
// audit-violations, for example); the audit log writes them into the request's event. Kept beside
// the request context rather than in it, so plugins need nothing from the audit machinery.
import type { RequestContext } from '../registry/context.ts';

const annotations = new WeakMap<RequestContext, Record<string, string>>();

export function addAuditAnnotation(ctx: RequestContext, key: string, value: string): void {
  let a = annotations.get(ctx);
  if (!a) {
    a = {};
    annotations.set(ctx, a);
  }
  a[key] ??= value;
}

export const auditAnnotationsOf = (ctx: RequestContext): Record<string, string> | undefined =>
  annotations.get(ctx);
