import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { securityOptions } from './security-context.ts';

const pod = (spec: Partial<NonNullable<Pod['spec']>>): Pod => ({ spec: { containers: [], ...spec } });

describe('securityOptions', () => {
  it('is empty without any securityContext, so the runtime defaults apply', () => {
    assert.deepEqual(securityOptions(pod({}), { name: 'a' }), {});
  });

  it("takes the pod's user and groups, overridden by the container's", () => {
    const p = pod({
      securityContext: { runAsUser: 1000, runAsGroup: 2000, supplementalGroups: [5, 6], fsGroup: 7 },
    });
    assert.deepEqual(securityOptions(p, { name: 'a', securityContext: { runAsUser: 42 } }), {
      runAsUser: 42,
      runAsGroup: 2000,
      supplementalGroups: [5, 6],
      fsGroup: 7,
    });
  });

  it('passes capabilities, privileged, escalation and a read-only root', () => {
    const o = securityOptions(pod({}), {
      name: 'a',
      securityContext: {
        capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
        privileged: false,
        allowPrivilegeEscalation: true,
        readOnlyRootFilesystem: true,
      },
    });
    assert.deepEqual(o, {
      capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
      privileged: false,
      allowPrivilegeEscalation: true,
      readOnlyRootFilesystem: true,
    });
  });

  it('maps seccomp profiles, the container one winning', () => {
    const p = pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } });
    assert.equal(securityOptions(p, { name: 'a' }).seccomp, 'Unconfined');
    const c = { name: 'a', securityContext: { seccompProfile: { type: 'RuntimeDefault' } } };
    assert.equal(securityOptions(p, c).seccomp, 'RuntimeDefault');
  });
});
