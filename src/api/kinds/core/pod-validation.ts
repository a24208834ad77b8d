// PodSpec validation (upstream's ValidatePodSpec and ValidatePodTemplateSpec): what Pods and every
// pod template share.
import {
  type FieldError,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
} from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  asArray,
  child,
  index,
  isDNS1123Label,
  isDNS1123Subdomain,
  isObject,
  isValidLabelValue,
  validateAnnotations,
  validateEnum,
  validateLabelName,
  validateLabels,
} from '../../validation/index.ts';
import { validateContainerCommon, validateLifecycleAndProbes } from './container-validation.ts';
import { validateVolumes } from './volume-validation.ts';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
/** Sorted, as upstream lists the supported DNS policies. */
export const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];
const MAX_INT32 = 2_147_483_647;
const INIT_ONLY_FORBIDDEN = 'may not be set for init containers without restartPolicy=Always';

export function validatePodSpec(spec: KObject | undefined, field: string): FieldError[] {
  const s: KObject = spec ?? {};
  const errs: FieldError[] = [];
  const volumes = validateVolumes(s.volumes, child(field, 'volumes'), errs);
  errs.push(...validateContainers(s.containers, volumes, child(field, 'containers')));
  errs.push(
    ...validateInitContainers(s.initContainers, s.containers, volumes, child(field, 'initContainers')),
  );
  errs.push(...validateHostNetworkPorts(s, field));
  errs.push(
    ...validateEnum(s.restartPolicy, child(field, 'restartPolicy'), RESTART_POLICIES, { required: true }),
  );
  errs.push(...validateEnum(s.dnsPolicy, child(field, 'dnsPolicy'), DNS_POLICIES, { required: true }));
  errs.push(...validateLabels(s.nodeSelector, child(field, 'nodeSelector')));
  if (s.dnsPolicy === 'None' && !isObject(s.dnsConfig)) {
    errs.push(fieldRequired(child(field, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  for (const [k, v] of [
    ['serviceAccountName', s.serviceAccountName],
    ['nodeName', s.nodeName],
    ['priorityClassName', s.priorityClassName],
  ] as const) {
    if (v) errs.push(...isDNS1123Subdomain(String(v)).map((m) => fieldInvalid(child(field, k), v, m)));
  }
  if (
    typeof s.activeDeadlineSeconds === 'number' &&
    (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > MAX_INT32)
  ) {
    errs.push(
      fieldInvalid(
        child(field, 'activeDeadlineSeconds'),
        s.activeDeadlineSeconds,
        `must be between 1 and ${MAX_INT32}, inclusive`,
      ),
    );
  }
  for (const k of ['hostname', 'subdomain']) {
    if (s[k]) errs.push(...isDNS1123Label(String(s[k])).map((m) => fieldInvalid(child(field, k), s[k], m)));
  }
  errs.push(...validateTolerations(s.tolerations, child(field, 'tolerations')));
  if (s.runtimeClassName) {
    errs.push(
      ...isDNS1123Subdomain(String(s.runtimeClassName)).map((m) =>
        fieldInvalid(child(field, 'runtimeClassName'), s.runtimeClassName, m),
      ),
    );
  }
  errs.push(...validateEnum(s.preemptionPolicy, child(field, 'preemptionPolicy'), PREEMPTION_POLICIES));
  asArray<KObject>(s.imagePullSecrets).forEach((ref, i) => {
    if (!ref.name) errs.push(fieldRequired(child(index(child(field, 'imagePullSecrets'), i), 'name')));
  });
  asArray<KObject>(s.readinessGates).forEach((g, i) => {
    errs.push(
      ...validateLabelName(
        String(g.conditionType ?? ''),
        child(index(child(field, 'readinessGates'), i), 'conditionType'),
      ),
    );
  });
  return errs;
}

function validateContainers(containers: unknown, volumes: Set<string>, field: string): FieldError[] {
  const list = asArray<KObject>(containers);
  if (list.length === 0) return [fieldRequired(field)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const at = index(field, i);
    errs.push(...validateContainerCommon(c, volumes, at));
    if (names.has(c.name)) errs.push(fieldDuplicate(child(at, 'name'), c.name));
    else names.add(c.name);
    errs.push(...validateLifecycleAndProbes(c, at));
    if (c.restartPolicy !== undefined)
      errs.push(fieldForbidden(child(at, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(list, field));
  return errs;
}

function validateInitContainers(
  init: unknown,
  regular: unknown,
  volumes: Set<string>,
  field: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>(asArray<KObject>(regular).map((c) => c.name));
  asArray<KObject>(init).forEach((c, i) => {
    const at = index(field, i);
    errs.push(...validateContainerCommon(c, volumes, at));
    const sidecar = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && !sidecar) {
      errs.push(fieldNotSupported(child(at, 'restartPolicy'), c.restartPolicy, ['Always']));
    }
    if (names.has(c.name)) errs.push(fieldDuplicate(child(at, 'name'), c.name));
    else if (c.name) names.add(c.name);
    // Init containers run one by one: their host ports only conflict within themselves.
    errs.push(...hostPortConflicts([c], field));
    if (sidecar) errs.push(...validateLifecycleAndProbes(c, at));
    else {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[k] !== undefined && c[k] !== null) errs.push(fieldForbidden(child(at, k), INIT_ONLY_FORBIDDEN));
      }
    }
  });
  return errs;
}

function hostPortConflicts(containers: KObject[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    asArray<KObject>(c.ports).forEach((p, pi) => {
      if (!p.hostPort) return;
      const id = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (seen.has(id))
        errs.push(fieldDuplicate(child(index(child(index(field, ci), 'ports'), pi), 'hostPort'), id));
      else seen.add(id);
    });
  });
  return errs;
}

function validateHostNetworkPorts(spec: KObject, field: string): FieldError[] {
  if (!spec.hostNetwork) return [];
  const errs: FieldError[] = [];
  for (const kind of ['containers', 'initContainers']) {
    asArray<KObject>(spec[kind]).forEach((c, ci) => {
      asArray<KObject>(c.ports).forEach((p, pi) => {
        if (p.hostPort && p.hostPort !== p.containerPort) {
          const at = child(index(child(index(child(field, kind), ci), 'ports'), pi), 'containerPort');
          errs.push(fieldInvalid(at, p.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
        }
      });
    });
  }
  return errs;
}

export function validateTolerations(tolerations: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  asArray<KObject>(tolerations).forEach((t, i) => {
    const at = index(field, i);
    if (t.key) errs.push(...validateLabelName(String(t.key), child(at, 'key')));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(
        fieldInvalid(
          child(at, 'operator'),
          t.operator ?? '',
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(
        fieldInvalid(
          child(at, 'effect'),
          t.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    if (!t.operator || t.operator === 'Equal') {
      const msgs = isValidLabelValue(String(t.value ?? ''));
      if (msgs.length) errs.push(fieldInvalid(child(at, 'operator'), t.value, msgs.join(';')));
    } else if (t.operator === 'Exists') {
      if (t.value)
        errs.push(fieldInvalid(child(at, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldNotSupported(child(at, 'operator'), t.operator, TOLERATION_OPERATORS));
    }
    if (t.effect) errs.push(...validateEnum(t.effect, child(at, 'effect'), TAINT_EFFECTS));
  });
  return errs;
}

/** A pod template: its labels and annotations (at `<field>.labels`, as upstream), then its spec. */
export function validatePodTemplateSpec(template: KObject | undefined, field: string): FieldError[] {
  if (!isObject(template)) return [fieldRequired(field)];
  const meta: KObject = template.metadata ?? {};
  const errs = [
    ...validateLabels(meta.labels, child(field, 'labels')),
    ...validateAnnotations(meta.annotations, child(field, 'annotations')),
    ...validatePodSpec(template.spec, child(field, 'spec')),
  ];
  if (asArray(template.spec?.ephemeralContainers).length > 0) {
    errs.push(
      fieldForbidden(
        child(child(field, 'spec'), 'ephemeralContainers'),
        'ephemeral containers not allowed in pod template',
      ),
    );
  }
  return errs;
}
