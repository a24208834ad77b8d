// node.k8s.io/v1 RuntimeClass.
import { fieldInvalid } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import {
  isDNS1123Label,
  validateImmutable,
  validateLabels,
  validateResourceList,
} from '../../validation/index.ts';
import { validateTolerations } from '../core/pod-validation.ts';
import { canonicalizeResourceList } from '../core/resource-list.ts';
import { defineKind } from '../define.ts';
import { str } from '../printing/cells.ts';
import { ageColumn, ageOf, column, nameColumn, nameOf } from '../printing/default-table.ts';

export const RUNTIME_CLASS = defineKind({
  group: 'node.k8s.io',
  version: 'v1',
  kind: 'RuntimeClass',
  plural: 'runtimeclasses',
  namespaced: false,
  defaults(rc: KObject) {
    if (rc.overhead?.podFixed) rc.overhead.podFixed = canonicalizeResourceList(rc.overhead.podFixed);
  },
  validate: (rc) => [
    ...isDNS1123Label(str(rc.handler)).map((m) => fieldInvalid('handler', rc.handler ?? '', m)),
    ...validateResourceList(rc.overhead?.podFixed, 'overhead.podFixed'),
    ...validateLabels(rc.scheduling?.nodeSelector, 'scheduling.nodeSelector'),
    ...validateTolerations(rc.scheduling?.tolerations, 'scheduling.tolerations'),
  ],
  validateUpdate: (rc, old) => validateImmutable(rc.handler, old.handler, 'handler'),
  table: {
    columns: [
      nameColumn(),
      column('Handler', 'Handler is the name of the underlying runtime and configuration.'),
      ageColumn(),
    ],
    cells: (rc, now) => [nameOf(rc), str(rc.handler), ageOf(rc, now)],
  },
});
