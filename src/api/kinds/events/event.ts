// events.k8s.io/v1 Event: the newer event API. Upstream stores both event APIs in one place; the
// skiff registry keys storage by group, so these are stored apart from core/v1 Events (see
// kinds/README.md). Validation and printing reuse core's, on the core-shaped view of the object.
import { type FieldError, fieldInvalid, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { validateImmutable } from '../../validation/index.ts';
import { EVENT_TABLE, validateLegacyEvent } from '../core/event.ts';
import { defineKind } from '../define.ts';
import { str } from '../printing/cells.ts';

const EVENT_TYPES = ['Normal', 'Warning'];
const NEEDS_TO_BE_UNSET = 'needs to be unset';

/** The events.k8s.io/v1 object in core/v1 field names (upstream's conversion). */
export function toCoreEvent(ev: KObject): KObject {
  return {
    metadata: ev.metadata,
    involvedObject: ev.regarding ?? {},
    related: ev.related,
    reason: ev.reason,
    message: ev.note,
    type: ev.type,
    eventTime: ev.eventTime,
    series: ev.series,
    action: ev.action,
    reportingComponent: ev.reportingController,
    reportingInstance: ev.reportingInstance,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
  };
}

function validateEvent(ev: KObject): FieldError[] {
  const core = toCoreEvent(ev);
  const errs = validateLegacyEvent(core, 'reportingController');
  if (!ev.eventTime) errs.push(fieldRequired('eventTime'));
  if (!EVENT_TYPES.includes(ev.type))
    errs.push(fieldInvalid('type', '', `has invalid value: ${str(ev.type)}`));
  if (ev.deprecatedFirstTimestamp) errs.push(fieldInvalid('firstTimestamp', '', NEEDS_TO_BE_UNSET));
  if (ev.deprecatedLastTimestamp) errs.push(fieldInvalid('lastTimestamp', '', NEEDS_TO_BE_UNSET));
  if (ev.deprecatedCount) errs.push(fieldInvalid('count', '', NEEDS_TO_BE_UNSET));
  if (ev.deprecatedSource?.component || ev.deprecatedSource?.host)
    errs.push(fieldInvalid('source', '', NEEDS_TO_BE_UNSET));
  return errs;
}

/** What a newer-API event may not change once written (core field names, as upstream reports them). */
const IMMUTABLE: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['reason', 'reason'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
  ['action', 'action'],
  ['related', 'related'],
  ['reportingController', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
];

export const EVENTS_V1_EVENT = defineKind({
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  namespaced: true,
  shortNames: ['ev'],
  fieldSelectors: {
    'regarding.kind': (o) => str(o.regarding?.kind),
    'regarding.namespace': (o) => str(o.regarding?.namespace),
    'regarding.name': (o) => str(o.regarding?.name),
    'regarding.uid': (o) => str(o.regarding?.uid),
    'regarding.apiVersion': (o) => str(o.regarding?.apiVersion),
    'regarding.resourceVersion': (o) => str(o.regarding?.resourceVersion),
    'regarding.fieldPath': (o) => str(o.regarding?.fieldPath),
    reason: (o) => str(o.reason),
    reportingController: (o) => str(o.reportingController),
    type: (o) => str(o.type),
  },
  validate: validateEvent,
  validateUpdate: (ev, old) => IMMUTABLE.flatMap(([k, path]) => validateImmutable(ev[k], old[k], path)),
  table: { columns: EVENT_TABLE.columns, cells: (ev, now) => EVENT_TABLE.cells(toCoreEvent(ev), now) },
});
