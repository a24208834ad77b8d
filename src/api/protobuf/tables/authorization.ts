// k8s.io/api/authorization/v1 (access and rules reviews). Field facts from upstream's types; see
// ../schema.ts for the format. The alpha conditional-authorization fields are not described.
import type { MessageTable } from '../schema.ts';

export const authorization: MessageTable = {
  SubjectAccessReview: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'SubjectAccessReviewSpec'],
    [3, 'status', 'SubjectAccessReviewStatus'],
  ],
  SelfSubjectAccessReview: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'SelfSubjectAccessReviewSpec'],
    [3, 'status', 'SubjectAccessReviewStatus'],
  ],
  LocalSubjectAccessReview: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'SubjectAccessReviewSpec'],
    [3, 'status', 'SubjectAccessReviewStatus'],
  ],
  ResourceAttributes: [
    [1, 'namespace', 'string'],
    [2, 'verb', 'string'],
    [3, 'group', 'string'],
    [4, 'version', 'string'],
    [5, 'resource', 'string'],
    [6, 'subresource', 'string'],
    [7, 'name', 'string'],
    [8, 'fieldSelector', 'FieldSelectorAttributes'],
    [9, 'labelSelector', 'LabelSelectorAttributes'],
  ],
  LabelSelectorAttributes: [
    [1, 'rawSelector', 'string'],
    [2, 'requirements', 'meta.LabelSelectorRequirement', 'rep'],
  ],
  FieldSelectorAttributes: [
    [1, 'rawSelector', 'string'],
    [2, 'requirements', 'meta.FieldSelectorRequirement', 'rep'],
  ],
  NonResourceAttributes: [
    [1, 'path', 'string'],
    [2, 'verb', 'string'],
  ],
  SubjectAccessReviewSpec: [
    [1, 'resourceAttributes', 'ResourceAttributes'],
    [2, 'nonResourceAttributes', 'NonResourceAttributes'],
    [3, 'user', 'string'],
    [4, 'groups', 'string', 'rep'],
    [5, 'extra', 'StringList', 'map'],
    [6, 'uid', 'string'],
  ],
  SelfSubjectAccessReviewSpec: [
    [1, 'resourceAttributes', 'ResourceAttributes'],
    [2, 'nonResourceAttributes', 'NonResourceAttributes'],
  ],
  SubjectAccessReviewStatus: [
    [1, 'allowed', 'bool', 'keep'],
    [4, 'denied', 'bool'],
    [2, 'reason', 'string'],
    [3, 'evaluationError', 'string'],
  ],
  SelfSubjectRulesReview: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'SelfSubjectRulesReviewSpec'],
    [3, 'status', 'SubjectRulesReviewStatus'],
  ],
  SelfSubjectRulesReviewSpec: [[1, 'namespace', 'string']],
  SubjectRulesReviewStatus: [
    [1, 'resourceRules', 'ResourceRule', 'rep'],
    [2, 'nonResourceRules', 'NonResourceRule', 'rep'],
    [3, 'incomplete', 'bool', 'keep'],
    [4, 'evaluationError', 'string'],
  ],
  ResourceRule: [
    [1, 'verbs', 'string', 'rep'],
    [2, 'apiGroups', 'string', 'rep'],
    [3, 'resources', 'string', 'rep'],
    [4, 'resourceNames', 'string', 'rep'],
  ],
  NonResourceRule: [
    [1, 'verbs', 'string', 'rep'],
    [2, 'nonResourceURLs', 'string', 'rep'],
  ],
};
