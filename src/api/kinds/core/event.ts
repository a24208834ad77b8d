// core/v1 Event (and the printer and legacy validation events.k8s.io/v1 reuses).
import { type FieldError, fieldInvalid, fieldRequired } from '../../errors.ts';
import type { KObject } from '../../object.ts';
import { isDNS1123Subdomain, isQualifiedName } from '../../validation/index.ts';
import { defineKind } from '../define.ts';
import { str } from '../printing/cells.ts';
import { column, NAME_DESCRIPTION } from '../printing/default-table.ts';
import { timestampSince } from '../printing/duration.ts';
import type { TableDef } from '../types.ts';

export const REPORTING_INSTANCE_LIMIT = 128;
export const ACTION_LIMIT = 128;
export const REASON_LIMIT = 128;
export const NOTE_LIMIT = 1024;
const NAMESPACE_DEFAULT = 'default';
const NAMESPACE_SYSTEM = 'kube-system';
const DOES_NOT_MATCH = 'does not match event.namespace';

/**
 * upstream's legacyValidateEvent, which every event passes (whatever API wrote it). Field names
 * are core/v1's; `reportingField` names reportingController as the request's API version spells it.
 */
export function validateLegacyEvent(ev: KObject, reportingField: string): FieldError[] {
  const errs: FieldError[] = [];
  const ns: string = ev.metadata?.namespace ?? '';
  const involvedNs: string = ev.involvedObject?.namespace ?? '';
  if (!ev.eventTime) {
    if (!involvedNs) {
      // Events about cluster-scoped objects live in `default` (or nowhere, for old clients).
      if (ns !== '' && ns !== NAMESPACE_DEFAULT)
        errs.push(fieldInvalid('involvedObject.namespace', involvedNs, DOES_NOT_MATCH));
    } else if (ns !== involvedNs) {
      errs.push(fieldInvalid('involvedObject.namespace', involvedNs, DOES_NOT_MATCH));
    }
  } else {
    if (!involvedNs && ns !== NAMESPACE_DEFAULT && ns !== NAMESPACE_SYSTEM) {
      errs.push(fieldInvalid('involvedObject.namespace', involvedNs, DOES_NOT_MATCH));
    }
    const controller = str(ev.reportingComponent);
    if (!controller) errs.push(fieldRequired(reportingField));
    errs.push(...isQualifiedName(controller).map((m) => fieldInvalid(reportingField, controller, m)));
    const instance = str(ev.reportingInstance);
    if (!instance) errs.push(fieldRequired('reportingInstance'));
    if (instance.length > REPORTING_INSTANCE_LIMIT) {
      errs.push(
        fieldInvalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`),
      );
    }
    const action = str(ev.action);
    if (!action) errs.push(fieldRequired('action'));
    if (action.length > ACTION_LIMIT)
      errs.push(fieldInvalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
    const reason = str(ev.reason);
    if (!reason) errs.push(fieldRequired('reason'));
    if (reason.length > REASON_LIMIT)
      errs.push(fieldInvalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
    if (str(ev.message).length > NOTE_LIMIT)
      errs.push(fieldInvalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  errs.push(...isDNS1123Subdomain(ns).map((m) => fieldInvalid('namespace', ns, m)));
  return errs;
}

/** `pod/web-1`, or just the kind when the event has no object name. */
export function eventTarget(ev: KObject): string {
  const kind = str(ev.involvedObject?.kind).toLowerCase();
  const name = str(ev.involvedObject?.name);
  return name ? `${kind}/${name}` : kind;
}

function eventSource(ev: KObject): string {
  const component = str(ev.source?.component) || str(ev.reportingComponent);
  const host = str(ev.source?.host) || str(ev.reportingInstance);
  return host ? `${component}, ${host}` : component;
}

/** Upstream's printEvent, on a core/v1-shaped event. */
export const EVENT_TABLE: TableDef = {
  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column(
      'Reason',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'The object that this event is about.'),
    column(
      'Subobject',
      'The part of the object the event is about, such as a container: spec.containers{name}.',
      { wide: true },
    ),
    column('Source', 'The component reporting this event.', { wide: true }),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded.', { wide: true }),
    column('Count', 'The number of times this event has occurred.', { wide: true }),
    { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 1 },
  ],
  cells(ev, now) {
    const first = ev.firstTimestamp
      ? timestampSince(ev.firstTimestamp, now)
      : timestampSince(ev.eventTime, now);
    let last = ev.lastTimestamp ? timestampSince(ev.lastTimestamp, now) : first;
    let count: number = typeof ev.count === 'number' ? ev.count : 0;
    if (ev.series && typeof ev.series === 'object') {
      last = timestampSince(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      // Singleton events of the newer API carry no count.
      count = 1;
    }
    return [
      last,
      str(ev.type),
      str(ev.reason),
      eventTarget(ev),
      str(ev.involvedObject?.fieldPath),
      eventSource(ev),
      str(ev.message).trim(),
      first,
      count,
      ev.metadata?.name ?? '',
    ];
  },
};

export const EVENT = defineKind({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  namespaced: true,
  shortNames: ['ev'],
  fieldSelectors: {
    'involvedObject.kind': (o) => str(o.involvedObject?.kind),
    'involvedObject.namespace': (o) => str(o.involvedObject?.namespace),
    'involvedObject.name': (o) => str(o.involvedObject?.name),
    'involvedObject.uid': (o) => str(o.involvedObject?.uid),
    'involvedObject.apiVersion': (o) => str(o.involvedObject?.apiVersion),
    'involvedObject.resourceVersion': (o) => str(o.involvedObject?.resourceVersion),
    'involvedObject.fieldPath': (o) => str(o.involvedObject?.fieldPath),
    reason: (o) => str(o.reason),
    reportingComponent: (o) => str(o.reportingComponent),
    source: (o) => str(o.source?.component) || str(o.reportingComponent),
    type: (o) => str(o.type),
  },
  validate: (ev) => validateLegacyEvent(ev, 'reportingComponent'),
  table: EVENT_TABLE,
});
