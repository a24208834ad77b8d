// Upstream pod failure policy (pkg/controller/job/pod_failure_policy.go): the first rule matching a
// failed pod — by a container's non-zero exit code, or by a pod condition — decides whether the
// failure fails the whole Job (FailJob), is not counted at all (Ignore), or counts against
// backoffLimit as usual (Count; FailIndex counts too here, without per-index limits).
import type { KObject } from '../../api/object.ts';

export const ACTION_FAIL_JOB = 'FailJob';
export const ACTION_IGNORE = 'Ignore';
export const ACTION_COUNT = 'Count';
export const ACTION_FAIL_INDEX = 'FailIndex';
export const REASON_POD_FAILURE_POLICY = 'PodFailurePolicy';

export interface PolicyMatch {
  action: string;
  /** For FailJob: the FailureTarget/Failed condition message. */
  message: string;
}

function matchExitCodes(pod: KObject, req: KObject): KObject | undefined {
  const statuses: KObject[] = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const c of statuses) {
    const code = c.state?.terminated?.exitCode;
    if (typeof code !== 'number' || code === 0) continue;
    if (req.containerName && req.containerName !== c.name) continue;
    const listed = (req.values ?? []).includes(code);
    if ((req.operator === 'In' && listed) || (req.operator === 'NotIn' && !listed)) return c;
  }
  return undefined;
}

/** The action for a failed pod, or undefined when no rule matches (then it counts). */
export function matchPodFailurePolicy(policy: KObject | undefined, pod: KObject): PolicyMatch | undefined {
  const who = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  const rules: KObject[] = policy?.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.onExitCodes) {
      const c = matchExitCodes(pod, rule.onExitCodes);
      if (c) {
        return {
          action: rule.action,
          message: `Container ${c.name} for pod ${who} failed with exit code ${c.state.terminated.exitCode} matching ${rule.action} rule at index ${i}`,
        };
      }
      continue;
    }
    for (const want of (rule.onPodConditions ?? []) as KObject[]) {
      const have = (pod.status?.conditions ?? []).find((c: KObject) => c.type === want.type);
      if (have && have.status === (want.status ?? 'True')) {
        return {
          action: rule.action,
          message: `Pod ${who} has condition ${want.type} matching ${rule.action} rule at index ${i}`,
        };
      }
    }
  }
  return undefined;
}
