// A container's effective security settings: the pod's securityContext, overridden field by field
// by the container's (as the kubelet merges them), in the runtime's terms. Seccomp is passed only
// when the pod asks for a profile, so the runtime's own default applies otherwise.
import type { Container, Pod, SeccompProfile } from 'kubernetes-types/core/v1.d.ts';
import type { SecurityOptions } from './runtime/types.ts';

export const SECCOMP_RUNTIME_DEFAULT = 'RuntimeDefault';
export const SECCOMP_UNCONFINED = 'Unconfined';

function seccompOf(p: SeccompProfile | undefined): SecurityOptions['seccomp'] {
  if (p?.type === SECCOMP_UNCONFINED) return 'Unconfined';
  // Localhost profiles are not loaded from the node: the runtime's default is the safe stand-in.
  if (p?.type === SECCOMP_RUNTIME_DEFAULT || p?.type === 'Localhost') return 'RuntimeDefault';
  return undefined;
}

export function securityOptions(pod: Pod, c: Container): SecurityOptions {
  const ps = pod.spec?.securityContext ?? {};
  const cs = c.securityContext ?? {};
  const out: SecurityOptions = {};
  const runAsUser = cs.runAsUser ?? ps.runAsUser;
  const runAsGroup = cs.runAsGroup ?? ps.runAsGroup;
  const seccomp = seccompOf(cs.seccompProfile ?? ps.seccompProfile);
  if (runAsUser !== undefined) out.runAsUser = runAsUser;
  if (runAsGroup !== undefined) out.runAsGroup = runAsGroup;
  if (ps.supplementalGroups?.length) out.supplementalGroups = [...ps.supplementalGroups];
  if (ps.fsGroup !== undefined) out.fsGroup = ps.fsGroup;
  if (cs.readOnlyRootFilesystem !== undefined) out.readOnlyRootFilesystem = cs.readOnlyRootFilesystem;
  if (cs.privileged !== undefined) out.privileged = cs.privileged;
  if (cs.allowPrivilegeEscalation !== undefined) out.allowPrivilegeEscalation = cs.allowPrivilegeEscalation;
  if (cs.capabilities) {
    out.capabilities = {
      ...(cs.capabilities.add ? { add: [...cs.capabilities.add] } : {}),
      ...(cs.capabilities.drop ? { drop: [...cs.capabilities.drop] } : {}),
    };
  }
  if (seccomp) out.seccomp = seccomp;
  return out;
}
