// DefaultBinder: POST pods/binding through the host's Binder.
import type { BindPlugin } from '../../framework/interface.ts';
import { errorStatus, type Status } from '../../framework/status.ts';
import type { Binder } from '../../host.ts';

export const NAME = 'DefaultBinder';

export const newDefaultBinder = (binder: Binder | undefined): BindPlugin => ({
  name: NAME,
  async bind(_s, pod, nodeName): Promise<Status | undefined> {
    if (!binder) return errorStatus(new Error('no binder configured'));
    try {
      await binder.bind(pod, nodeName);
      return undefined;
    } catch (err) {
      return errorStatus(err);
    }
  },
});
