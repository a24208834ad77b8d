// scheduling.k8s.io/v1 PriorityClass.
import { type FieldError, fieldForbidden } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { validateEnum, validateImmutable } from '../../validation/index.ts';
import { PREEMPT_LOWER_PRIORITY, SYSTEM_PRIORITY_CLASSES } from '../core/pod-defaults.ts';
import { defineKind } from '../define.ts';
import { str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

/** Values above this are reserved for the system classes. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];

function systemClassError(pc: KObject): string | undefined {
  const name: string = pc.metadata?.name ?? '';
  const value = SYSTEM_PRIORITY_CLASSES[name];
  if (value === undefined) return `${name} is not a known system priority class`;
  if (pc.value !== value) return `value of ${name} PriorityClass must be ${value}`;
  if (pc.globalDefault === true) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

function validatePriorityClass(pc: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const name: string = pc.metadata?.name ?? '';
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const err = systemClassError(pc);
    if (err) {
      errs.push(
        fieldForbidden(
          'metadata.name',
          `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${err}`,
        ),
      );
    }
  } else if (typeof pc.value === 'number' && pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(
      fieldForbidden(
        'value',
        `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`,
      ),
    );
  }
  errs.push(...validateEnum(pc.preemptionPolicy, 'preemptionPolicy', PREEMPTION_POLICIES));
  return errs;
}

export const PRIORITY_CLASS = defineKind({
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  namespaced: false,
  shortNames: ['pc'],
  defaults(pc) {
    pc.preemptionPolicy ??= PREEMPT_LOWER_PRIORITY;
    pc.value ??= 0;
  },
  validate: validatePriorityClass,
  validateUpdate: (pc, old) => [
    ...validateImmutable(pc.value, old.value, 'value'),
    ...validateImmutable(pc.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'),
  ],
  table: {
    columns: [
      nameColumn(),
      column('Value', 'value represents the integer value of this priority class.', { type: 'integer' }),
      column(
        'Global-Default',
        'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.',
        { type: 'boolean' },
      ),
      ageColumn(),
      column('PreemptionPolicy', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
    ],
    cells: (pc, now) => [
      nameOf(pc),
      typeof pc.value === 'number' ? pc.value : 0,
      pc.globalDefault === true,
      ageOf(pc, now),
      str(pc.preemptionPolicy),
    ],
  },
});
