// PodSecurity admission: a namespace's labels pick a level per mode —
// `pod-security.kubernetes.io/{enforce,audit,warn}` (privileged | baseline | restricted) and
// `…-version` (default `latest`). Pods violating the enforce level are refused; audit violations
// become an audit annotation; warn violations come back as Warning headers. Workload templates
// (Deployments, Jobs, CronJobs, …) are checked for warn and audit only, as upstream does.
import type { KObject } from '../../api/object.ts';
import { addAuditAnnotation } from '../audit/annotations.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';
import { admissionForbidden } from './forbidden.ts';
import { evaluatePodSpec, formatViolations, type Level } from './pod-security-checks.ts';

export const PSA_LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const AUDIT_VIOLATIONS_ANNOTATION = 'pod-security.kubernetes.io/audit-violations';
export const ENFORCE_POLICY_ANNOTATION = 'pod-security.kubernetes.io/enforce-policy';
const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];
const DEFAULT_VERSION = 'latest';

/** Where each workload kind keeps its pod template. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  '/pods': [],
  '/podtemplates': ['template'],
  '/replicationcontrollers': ['spec', 'template'],
  'apps/deployments': ['spec', 'template'],
  'apps/replicasets': ['spec', 'template'],
  'apps/statefulsets': ['spec', 'template'],
  'apps/daemonsets': ['spec', 'template'],
  'batch/jobs': ['spec', 'template'],
  'batch/cronjobs': ['spec', 'jobTemplate', 'spec', 'template'],
};

interface ModePolicy {
  level: Level;
  version: string;
}

export type NamespaceSource = (name: string) => KObject | undefined;

export class PodSecurityAdmission implements AdmissionPlugin {
  readonly name = 'PodSecurity';
  readonly #namespaces: NamespaceSource;

  constructor(namespaces: NamespaceSource) {
    this.#namespaces = namespaces;
  }

  validate(a: AdmissionAttributes): void {
    if (!a.obj || a.subresource) return;
    const path = TEMPLATE_PATHS[`${a.kind.group}/${a.kind.plural}`];
    if (!path) return;
    const isPod = path.length === 0;
    // Pod specs are nearly immutable: only creates (and spec-changing updates) are evaluated.
    if (a.operation === 'UPDATE' && JSON.stringify(a.obj.spec) === JSON.stringify(a.old?.spec)) return;
    if (a.operation === 'DELETE') return;
    const labels: Record<string, string> = this.#namespaces(a.namespace)?.metadata?.labels ?? {};
    const enforce = modePolicy(labels, 'enforce');
    const audit = modePolicy(labels, 'audit') ?? enforce;
    const warn = modePolicy(labels, 'warn') ?? enforce;
    if (!enforce && !audit && !warn) return;
    const template = path.reduce<KObject | undefined>((o, k) => o?.[k], a.obj);
    if (!template?.spec) return;
    const evaluate = (p: ModePolicy) => {
      const vs = evaluatePodSpec(p.level, template.spec, template.metadata ?? {});
      return vs.length ? `PodSecurity "${p.level}:${p.version}": ${formatViolations(vs)}` : undefined;
    };
    if (isPod && enforce) {
      addAuditAnnotation(a.ctx, ENFORCE_POLICY_ANNOTATION, `${enforce.level}:${enforce.version}`);
      const v = evaluate(enforce);
      if (v) throw admissionForbidden(a, `violates ${v}`);
    }
    if (audit) {
      const v = evaluate(audit);
      if (v) addAuditAnnotation(a.ctx, AUDIT_VIOLATIONS_ANNOTATION, `would violate ${v}`);
    }
    if (warn) {
      const v = evaluate(warn);
      if (v) a.ctx.warnings.push(`would violate ${v}`);
    }
  }
}

function modePolicy(labels: Record<string, string>, mode: string): ModePolicy | undefined {
  const raw = labels[`${PSA_LABEL_PREFIX}${mode}`];
  if (raw === undefined) return undefined;
  // An unknown level fails closed, as upstream evaluates it as restricted.
  const level = (LEVELS as readonly string[]).includes(raw) ? (raw as Level) : 'restricted';
  if (level === 'privileged') return undefined;
  return { level, version: labels[`${PSA_LABEL_PREFIX}${mode}-version`] || DEFAULT_VERSION };
}
