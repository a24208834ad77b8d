// A controller that has nothing to do in this configuration (no CA given): it says so once and
// waits for the stop signal, so the manager's set of names stays the same either way.
import type { Controller, ControllerContext } from '../types.ts';

export function idleController(ctx: ControllerContext, name: string, why: string): Controller {
  return {
    name,
    run: async (signal) => {
      ctx.log.warn(why);
      if (!signal.aborted) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    },
  };
}
