// k8s.io/api/authentication/v1. Field facts from upstream's types; see ../schema.ts for the format.
import type { MessageTable } from '../schema.ts';

export const authentication: MessageTable = {
  TokenReview: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'TokenReviewSpec'],
    [3, 'status', 'TokenReviewStatus'],
  ],
  TokenReviewSpec: [
    [1, 'token', 'string'],
    [2, 'audiences', 'string', 'rep'],
  ],
  TokenReviewStatus: [
    [1, 'authenticated', 'bool'],
    [2, 'user', 'UserInfo'],
    [4, 'audiences', 'string', 'rep'],
    [3, 'error', 'string'],
  ],
  UserInfo: [
    [1, 'username', 'string'],
    [2, 'uid', 'string'],
    [3, 'groups', 'string', 'rep'],
    [4, 'extra', 'StringList', 'map'],
  ],
  TokenRequest: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'spec', 'TokenRequestSpec'],
    [3, 'status', 'TokenRequestStatus'],
  ],
  TokenRequestSpec: [
    [1, 'audiences', 'string', 'rep'],
    [4, 'expirationSeconds', 'int64', 'keep'],
    [3, 'boundObjectRef', 'BoundObjectReference'],
  ],
  TokenRequestStatus: [
    [1, 'token', 'string', 'keep'],
    [2, 'expirationTimestamp', 'Time'],
  ],
  BoundObjectReference: [
    [1, 'kind', 'string'],
    [2, 'apiVersion', 'string'],
    [3, 'name', 'string'],
    [4, 'uid', 'string'],
  ],
  SelfSubjectReview: [
    [1, 'metadata', 'meta.ObjectMeta'],
    [2, 'status', 'SelfSubjectReviewStatus'],
  ],
  SelfSubjectReviewStatus: [[1, 'userInfo', 'UserInfo']],
};
