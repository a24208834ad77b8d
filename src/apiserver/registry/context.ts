// What a request carries into the registry: who asks and how the write should behave.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface RequestContext {
  user: UserInfo;
  /** With impersonation: the authenticated caller (`user` is who it acts as). */
  impersonator?: UserInfo;
  /** dryRun=All: run every step but the storage write. */
  dryRun: boolean;
  fieldManager?: string;
  /** Warning headers to send with the response (fieldValidation=Warn, deprecations). */
  warnings: string[];
}

export const systemContext = (): RequestContext => ({
  user: { username: 'system:apiserver', groups: ['system:masters'] },
  dryRun: false,
  warnings: [],
});
