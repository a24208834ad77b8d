// autoscaling/v2 HorizontalPodAutoscaler.
import { type FieldError, fieldInvalid, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { canonicalQuantity } from '../../quantity.ts';
import {
  asArray,
  child,
  index,
  isObject,
  isValidPathSegmentName,
  quantityAt,
  validateEnum,
} from '../../validation/index.ts';
import { defineKind, statusSubresource } from '../define.ts';
import { int, str, UNSET } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

/** Without metrics, an HPA scales on CPU at 80% of requests. */
export const DEFAULT_CPU_UTILIZATION = 80;
const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const TARGET_TYPES = ['AverageValue', 'Utilization', 'Value'];
const POLICY_TYPES = ['Percent', 'Pods'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_SECONDS = 3600;
const MAX_SHOWN_METRICS = 2;
/** Scale up fast (4 pods or 100% per 15 s), down carefully (after 5 minutes of lower demand). */
const SCALE_UP_DEFAULTS = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const SCALE_DOWN_DEFAULTS = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

function fillRules(rules: KObject | undefined, defaults: KObject): KObject {
  if (!rules) return structuredClone(defaults);
  const out: KObject = { ...rules };
  out.stabilizationWindowSeconds ??= defaults.stabilizationWindowSeconds;
  out.selectPolicy ??= defaults.selectPolicy;
  out.policies ??= structuredClone(defaults.policies);
  return out;
}

function defaultHPA(hpa: KObject): void {
  hpa.spec ??= {};
  const spec = hpa.spec;
  spec.minReplicas ??= 1;
  if (asArray(spec.metrics).length === 0) {
    spec.metrics = [
      {
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION },
        },
      },
    ];
  }
  if (isObject(spec.behavior)) {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp as KObject | undefined, SCALE_UP_DEFAULTS);
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown as KObject | undefined, SCALE_DOWN_DEFAULTS);
  }
}

function validateRef(ref: KObject | undefined, field: string): FieldError[] {
  const r: KObject = ref ?? {};
  const errs: FieldError[] = [];
  for (const k of ['kind', 'name']) {
    if (!r[k]) errs.push(fieldRequired(child(field, k)));
    else
      errs.push(...isValidPathSegmentName(String(r[k])).map((m) => fieldInvalid(child(field, k), r[k], m)));
  }
  return errs;
}

function validateTarget(target: KObject | undefined, field: string): FieldError[] {
  const t: KObject = target ?? {};
  const errs: FieldError[] = [];
  if (!t.type) errs.push(fieldRequired(child(field, 'type'), 'must specify a metric target type'));
  else errs.push(...validateEnum(t.type, child(field, 'type'), TARGET_TYPES));
  if (typeof t.averageUtilization === 'number' && t.averageUtilization < 1) {
    errs.push(
      fieldInvalid(child(field, 'averageUtilization'), t.averageUtilization, 'must be greater than 0'),
    );
  }
  for (const k of ['value', 'averageValue']) {
    if (t[k] === undefined) continue;
    const q = quantityAt(t[k], child(field, k), errs);
    if (q && q.nanos <= 0n)
      errs.push(fieldInvalid(child(field, k), canonicalQuantity(String(t[k])), 'must be positive'));
  }
  return errs;
}

function validateMetric(m: KObject, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!m.type) return [fieldRequired(child(field, 'type'), 'must specify a metric source type')];
  errs.push(...validateEnum(m.type, child(field, 'type'), METRIC_TYPES));
  const sourceKey = String(m.type).charAt(0).toLowerCase() + String(m.type).slice(1);
  const src = m[sourceKey];
  if (!isObject(src)) {
    errs.push(
      fieldRequired(child(field, sourceKey), `must populate information for the given metric source`),
    );
    return errs;
  }
  const at = child(field, sourceKey);
  if (m.type === 'Resource' || m.type === 'ContainerResource') {
    if (!src.name) errs.push(fieldRequired(child(at, 'name'), 'must specify a resource name'));
    if (m.type === 'ContainerResource' && !src.container)
      errs.push(fieldRequired(child(at, 'container'), 'must specify a container'));
  } else if (!isObject(src.metric) || !src.metric.name) {
    errs.push(fieldRequired(child(child(at, 'metric'), 'name'), 'must specify a metric name'));
  }
  if (m.type === 'Object')
    errs.push(...validateRef(src.describedObject as KObject | undefined, child(at, 'describedObject')));
  errs.push(...validateTarget(src.target as KObject | undefined, child(at, 'target')));
  return errs;
}

function validateRules(rules: KObject | undefined, field: string): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const win = rules.stabilizationWindowSeconds;
  if (typeof win === 'number' && (win < 0 || win > MAX_STABILIZATION_SECONDS)) {
    errs.push(
      fieldInvalid(
        child(field, 'stabilizationWindowSeconds'),
        win,
        `must be less than or equal to ${MAX_STABILIZATION_SECONDS}`,
      ),
    );
  }
  errs.push(...validateEnum(rules.selectPolicy, child(field, 'selectPolicy'), SELECT_POLICIES));
  const policies = asArray<KObject>(rules.policies);
  if (policies.length === 0 && rules.selectPolicy !== 'Disabled') {
    errs.push(fieldRequired(child(field, 'policies'), 'must specify at least one Policy'));
  }
  policies.forEach((p, i) => {
    const at = index(child(field, 'policies'), i);
    errs.push(...validateEnum(p.type, child(at, 'type'), POLICY_TYPES, { required: true }));
    if (!(typeof p.value === 'number' && p.value > 0))
      errs.push(fieldInvalid(child(at, 'value'), p.value ?? 0, 'must be greater than zero'));
    if (
      !(typeof p.periodSeconds === 'number' && p.periodSeconds > 0 && p.periodSeconds <= MAX_PERIOD_SECONDS)
    ) {
      errs.push(
        fieldInvalid(
          child(at, 'periodSeconds'),
          p.periodSeconds ?? 0,
          `must be greater than zero and less than or equal to ${MAX_PERIOD_SECONDS}`,
        ),
      );
    }
  });
  return errs;
}

function validateHPA(hpa: KObject): FieldError[] {
  const spec: KObject = hpa.spec ?? {};
  const errs: FieldError[] = [];
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1) {
    errs.push(fieldInvalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  }
  if (!(typeof spec.maxReplicas === 'number' && spec.maxReplicas >= 1)) {
    errs.push(fieldInvalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  }
  if (
    typeof spec.minReplicas === 'number' &&
    typeof spec.maxReplicas === 'number' &&
    spec.maxReplicas < spec.minReplicas
  ) {
    errs.push(
      fieldInvalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'),
    );
  }
  // Upstream reports the first failing part only: reference, then metrics, then behavior.
  const refErrs = validateRef(spec.scaleTargetRef, 'spec.scaleTargetRef');
  if (refErrs.length) return [...errs, ...refErrs];
  const metricErrs = asArray<KObject>(spec.metrics).flatMap((m, i) =>
    validateMetric(m, index('spec.metrics', i)),
  );
  if (metricErrs.length) return [...errs, ...metricErrs];
  return [
    ...errs,
    ...validateRules(spec.behavior?.scaleUp, 'spec.behavior.scaleUp'),
    ...validateRules(spec.behavior?.scaleDown, 'spec.behavior.scaleDown'),
  ];
}

const q = (v: unknown): string =>
  v === undefined || v === null ? '<unknown>' : canonicalQuantity(String(v));

/** Upstream's formatHPAMetrics: `cpu: 45%/80%, memory: 100Mi/200Mi + 1 more...`. */
export function formatHPAMetrics(hpa: KObject): string {
  const specs = asArray<KObject>(hpa.spec?.metrics);
  if (specs.length === 0) return '<none>';
  const statuses = asArray<KObject>(hpa.status?.currentMetrics);
  const list = specs.map((spec, i) => {
    const st = statuses[i];
    switch (spec.type) {
      case 'External':
      case 'Object': {
        const key = spec.type === 'External' ? 'external' : 'object';
        const target = spec[key]?.target ?? {};
        const current = st?.[key]?.current ?? {};
        if (target.averageValue !== undefined)
          return `${st?.[key] && current.averageValue !== undefined ? q(current.averageValue) : '<unknown>'}/${q(target.averageValue)} (avg)`;
        return `${st?.[key] ? q(current.value) : '<unknown>'}/${q(target.value)}`;
      }
      case 'Pods':
        return `${st?.pods ? q(st.pods.current?.averageValue) : '<unknown>'}/${q(spec.pods?.target?.averageValue)}`;
      case 'Resource':
      case 'ContainerResource': {
        const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const src = spec[key] ?? {};
        const target = src.target ?? {};
        const current = st?.[key]?.current;
        if (target.averageValue !== undefined) {
          return `${str(src.name)}: ${st?.[key] ? q(current?.averageValue) : '<unknown>'}/${q(target.averageValue)}`;
        }
        const cur =
          typeof current?.averageUtilization === 'number' ? `${current.averageUtilization}%` : '<unknown>';
        const tgt =
          typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
        return `${str(src.name)}: ${cur}/${tgt}`;
      }
      default:
        return '<unknown type>';
    }
  });
  const shown = list.slice(0, MAX_SHOWN_METRICS).join(', ');
  return list.length > MAX_SHOWN_METRICS ? `${shown} + ${list.length - MAX_SHOWN_METRICS} more...` : shown;
}

export const HORIZONTAL_POD_AUTOSCALER = defineKind({
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  subresources: [statusSubresource('autoscaling', 'v2', 'HorizontalPodAutoscaler')],
  defaults: defaultHPA,
  validate: validateHPA,
  table: {
    columns: [
      nameColumn(),
      column('Reference', 'scaleTargetRef points to the target resource to scale.'),
      column(
        'Targets',
        'metrics contains the specifications for which to use to calculate the desired replica count.',
      ),
      column('MinPods', 'minReplicas is the lower limit for the number of replicas.'),
      column('MaxPods', 'maxReplicas is the upper limit for the number of replicas.'),
      column('Replicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler.'),
      ageColumn(),
    ],
    cells: (hpa, now) => [
      nameOf(hpa),
      `${str(hpa.spec?.scaleTargetRef?.kind)}/${str(hpa.spec?.scaleTargetRef?.name)}`,
      formatHPAMetrics(hpa),
      typeof hpa.spec?.minReplicas === 'number' ? String(hpa.spec.minReplicas) : UNSET,
      int(hpa.spec?.maxReplicas),
      int(hpa.status?.currentReplicas),
      ageOf(hpa, now),
    ],
  },
});
