// What an authorizer is asked (upstream's authorizer.Attributes) and what it answers.
import type { UserInfo } from '../registry/context.ts';

export interface AuthzAttributes {
  user: UserInfo;
  verb: string;
  /** false: a non-resource request (path). */
  resourceRequest: boolean;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The request path (non-resource requests). */
  path: string;
}

export type Decision = 'allow' | 'deny' | 'noOpinion';

export interface AuthzResult {
  decision: Decision;
  /** Why: appended to the Forbidden message when set (upstream's authorizer reason). */
  reason: string;
}

export interface Authorizer {
  authorize(a: AuthzAttributes): AuthzResult;
}

/** A policy rule as stored in Role/ClusterRole objects. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export const NO_OPINION: AuthzResult = { decision: 'noOpinion', reason: '' };
export const ALLOW: AuthzResult = { decision: 'allow', reason: '' };
