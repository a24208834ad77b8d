// The conditions a terminating namespace carries to say why it is not gone yet, with upstream's
// types, reasons and messages (pkg/controller/namespace/deletion/status_condition_utils.go): every
// type is always present, False with an "all is well" message unless its failure was seen.
import type { KObject } from '../../api/object.ts';
import { byCodeUnit } from '../../util/code-unit-order.ts';

export const DISCOVERY_FAILURE = 'NamespaceDeletionDiscoveryFailure';
export const GV_PARSING_FAILURE = 'NamespaceDeletionGroupVersionParsingFailure';
export const CONTENT_FAILURE = 'NamespaceDeletionContentFailure';
export const CONTENT_REMAINING = 'NamespaceContentRemaining';
export const FINALIZERS_REMAINING = 'NamespaceFinalizersRemaining';

export const CONDITION_TYPES = [
  DISCOVERY_FAILURE,
  GV_PARSING_FAILURE,
  CONTENT_FAILURE,
  CONTENT_REMAINING,
  FINALIZERS_REMAINING,
] as const;
type ConditionType = (typeof CONDITION_TYPES)[number];

const OK: Record<ConditionType, { reason: string; message: string }> = {
  [DISCOVERY_FAILURE]: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  [GV_PARSING_FAILURE]: {
    reason: 'ParsedGroupVersions',
    message: 'All legacy kube types successfully parsed',
  },
  [CONTENT_FAILURE]: {
    reason: 'ContentDeleted',
    message: 'All content successfully deleted, may be waiting on finalization',
  },
  [CONTENT_REMAINING]: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  [FINALIZERS_REMAINING]: {
    reason: 'ContentHasNoFinalizers',
    message: 'All content-preserving finalizers finished',
  },
};

const FAILED_REASON: Record<ConditionType, string> = {
  [DISCOVERY_FAILURE]: 'DiscoveryFailed',
  [GV_PARSING_FAILURE]: 'GroupVersionParsingFailed',
  [CONTENT_FAILURE]: 'ContentDeletionFailed',
  [CONTENT_REMAINING]: 'SomeResourcesRemain',
  [FINALIZERS_REMAINING]: 'SomeFinalizersRemain',
};

/** What one pass over the namespace's content found. */
export interface DeletionReport {
  /** groupVersion → error. */
  discoveryFailures: Map<string, string>;
  /** One message per resource whose deletion failed. */
  deleteFailures: string[];
  /** `<resource>.<group>` → instances still present. */
  remaining: Map<string, number>;
  /** finalizer → instances carrying it. */
  finalizers: Map<string, number>;
}

const sortedEntries = (m: Map<string, number>) => [...m].sort(([a], [b]) => byCodeUnit(a, b));

/** The failure message per condition type, or nothing where all went well. */
export function failureMessages(r: DeletionReport): Partial<Record<ConditionType, string>> {
  const out: Partial<Record<ConditionType, string>> = {};
  if (r.discoveryFailures.size > 0) {
    const list = [...r.discoveryFailures].map(([gv, e]) => `${gv}: ${e}`).sort();
    out[DISCOVERY_FAILURE] = `Discovery failed for some groups, ${list.length} failing: ${list.join(', ')}`;
  }
  if (r.deleteFailures.length > 0) {
    const list = [...r.deleteFailures].sort();
    out[CONTENT_FAILURE] =
      `Failed to delete all resource types, ${list.length} remaining: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
  }
  if (r.remaining.size > 0) {
    const list = sortedEntries(r.remaining).map(([res, n]) => `${res} has ${n} resource instances`);
    out[CONTENT_REMAINING] = `Some resources are remaining: ${list.join(', ')}`;
  }
  if (r.finalizers.size > 0) {
    const list = sortedEntries(r.finalizers).map(([f, n]) => `${f} in ${n} resource instances`);
    out[FINALIZERS_REMAINING] = `Some content in the namespace has finalizers remaining: ${list.join(', ')}`;
  }
  return out;
}

/**
 * The namespace's conditions after this pass: each type True with its failure or False with the
 * all-clear; lastTransitionTime moves only when status, reason or message changed.
 */
export function nextConditions(
  current: readonly KObject[] | undefined,
  r: DeletionReport,
  now: string,
): KObject[] {
  const failures = failureMessages(r);
  const others = (current ?? []).filter((c) => !CONDITION_TYPES.includes(c.type));
  const ours = CONDITION_TYPES.map((type) => {
    const msg = failures[type];
    const want = msg
      ? { type, status: 'True', reason: FAILED_REASON[type], message: msg }
      : { type, status: 'False', ...OK[type] };
    const old = current?.find((c) => c.type === type);
    const same =
      old && old.status === want.status && old.reason === want.reason && old.message === want.message;
    return { ...want, lastTransitionTime: same ? old.lastTransitionTime : now };
  });
  return [...others, ...ours];
}
