// k8s.io/apimachinery/pkg/apis/meta/v1: object metadata, selectors, conditions and the
// options/Status kinds every group version shares. Field facts from upstream's types; see
// ../schema.ts for the format.
import type { MessageTable } from '../schema.ts';

export const meta: MessageTable = {
  ObjectMeta: [
    [1, 'name', 'string'],
    [2, 'generateName', 'string'],
    [3, 'namespace', 'string'],
    [4, 'selfLink', 'string'],
    [5, 'uid', 'string'],
    [6, 'resourceVersion', 'string'],
    [7, 'generation', 'int64'],
    [8, 'creationTimestamp', 'Time'],
    [9, 'deletionTimestamp', 'Time'],
    [10, 'deletionGracePeriodSeconds', 'int64', 'keep'],
    [11, 'labels', 'string', 'map'],
    [12, 'annotations', 'string', 'map'],
    [13, 'ownerReferences', 'OwnerReference', 'rep'],
    [14, 'finalizers', 'string', 'rep'],
    [17, 'managedFields', 'ManagedFieldsEntry', 'rep'],
  ],
  OwnerReference: [
    [5, 'apiVersion', 'string', 'keep'],
    [1, 'kind', 'string', 'keep'],
    [3, 'name', 'string', 'keep'],
    [4, 'uid', 'string', 'keep'],
    [6, 'controller', 'bool', 'keep'],
    [7, 'blockOwnerDeletion', 'bool', 'keep'],
  ],
  ListMeta: [
    [1, 'selfLink', 'string'],
    [2, 'resourceVersion', 'string'],
    [3, 'continue', 'string'],
    [4, 'remainingItemCount', 'int64', 'keep'],
  ],
  ManagedFieldsEntry: [
    [1, 'manager', 'string'],
    [2, 'operation', 'string'],
    [3, 'apiVersion', 'string'],
    [4, 'time', 'Time'],
    [6, 'fieldsType', 'string'],
    [7, 'fieldsV1', 'FieldsV1'],
    [8, 'subresource', 'string'],
  ],
  LabelSelector: [
    [1, 'matchLabels', 'string', 'map'],
    [2, 'matchExpressions', 'LabelSelectorRequirement', 'rep'],
  ],
  LabelSelectorRequirement: [
    [1, 'key', 'string', 'keep'],
    [2, 'operator', 'string', 'keep'],
    [3, 'values', 'string', 'rep'],
  ],
  FieldSelectorRequirement: [
    [1, 'key', 'string', 'keep'],
    [2, 'operator', 'string', 'keep'],
    [3, 'values', 'string', 'rep'],
  ],
  Condition: [
    [1, 'type', 'string', 'keep'],
    [2, 'status', 'string', 'keep'],
    [3, 'observedGeneration', 'int64'],
    [4, 'lastTransitionTime', 'Time'],
    [5, 'reason', 'string', 'keep'],
    [6, 'message', 'string', 'keep'],
  ],
  DeleteOptions: [
    [1, 'gracePeriodSeconds', 'int64', 'keep'],
    [2, 'preconditions', 'Preconditions'],
    [3, 'orphanDependents', 'bool', 'keep'],
    [4, 'propagationPolicy', 'string', 'keep'],
    [5, 'dryRun', 'string', 'rep'],
  ],
  Preconditions: [
    [1, 'uid', 'string', 'keep'],
    [2, 'resourceVersion', 'string', 'keep'],
  ],
  CreateOptions: [
    [1, 'dryRun', 'string', 'rep'],
    [3, 'fieldManager', 'string'],
    [4, 'fieldValidation', 'string'],
  ],
  UpdateOptions: [
    [1, 'dryRun', 'string', 'rep'],
    [2, 'fieldManager', 'string'],
    [3, 'fieldValidation', 'string'],
  ],
  PatchOptions: [
    [1, 'dryRun', 'string', 'rep'],
    [2, 'force', 'bool', 'keep'],
    [3, 'fieldManager', 'string'],
    [4, 'fieldValidation', 'string'],
  ],
  Status: [
    [1, 'metadata', 'ListMeta'],
    [2, 'status', 'string'],
    [3, 'message', 'string'],
    [4, 'reason', 'string'],
    [5, 'details', 'StatusDetails'],
    [6, 'code', 'int32'],
  ],
  StatusDetails: [
    [1, 'name', 'string'],
    [2, 'group', 'string'],
    [3, 'kind', 'string'],
    [6, 'uid', 'string'],
    [4, 'causes', 'StatusCause', 'rep'],
    [5, 'retryAfterSeconds', 'int32'],
  ],
  StatusCause: [
    [1, 'reason', 'string'],
    [2, 'message', 'string'],
    [3, 'field', 'string'],
  ],
  PartialObjectMetadata: [[1, 'metadata', 'ObjectMeta']],
};
