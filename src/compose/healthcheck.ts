// `healthcheck` → readiness and liveness exec probes. Compose's defaults: interval 30s, timeout
// 30s, retries 3, start_period 0. Readiness gates the Service's endpoints (what dependents wait
// on for service_healthy); liveness restarts a container that stays unhealthy, after start_period.
import type { KObject } from '../api/object.ts';
import { isMap } from './normalize.ts';
import type { Json } from './types.ts';
import { ceilSeconds, durationSeconds } from './units.ts';

export const DEFAULT_INTERVAL_S = 30;
export const DEFAULT_TIMEOUT_S = 30;
export const DEFAULT_RETRIES = 3;
const SHELL = ['/bin/sh', '-c'];

export interface Probes {
  readinessProbe: KObject;
  livenessProbe: KObject;
}

/** The probes for a healthcheck, or undefined when there is none (absent, NONE, disable). */
export function probesFor(
  hc: Json | undefined,
  warn: (key: string, msg: string) => void,
): Probes | undefined {
  if (!isMap(hc ?? null)) return undefined;
  const h = hc as Record<string, Json>;
  if (h.disable === true || h.disable === 'true') return undefined;
  const command = testCommand(h.test);
  if (command === undefined) {
    if (h.test === undefined) {
      warn(
        'healthcheck',
        "no test: the image's own HEALTHCHECK is not visible to the cluster; no probe is set",
      );
    }
    return undefined;
  }
  if (h.start_interval !== undefined) {
    warn('healthcheck.start_interval', 'probes run every interval, also during the start period');
  }
  const seconds = (v: Json | undefined, dflt: number, key: string): number => {
    if (v === undefined || v === null) return dflt;
    try {
      return durationSeconds(v);
    } catch {
      warn(`healthcheck.${key}`, `invalid duration ${JSON.stringify(v)}: using ${dflt}s`);
      return dflt;
    }
  };
  const period = ceilSeconds(seconds(h.interval, DEFAULT_INTERVAL_S, 'interval'), 1);
  const timeout = ceilSeconds(seconds(h.timeout, DEFAULT_TIMEOUT_S, 'timeout'), 1);
  const start = ceilSeconds(seconds(h.start_period, 0, 'start_period'));
  const retries = h.retries === undefined ? DEFAULT_RETRIES : Math.max(1, Math.trunc(Number(h.retries)) || 1);
  const base = {
    exec: { command },
    periodSeconds: period,
    timeoutSeconds: timeout,
    failureThreshold: retries,
  };
  return {
    readinessProbe: { ...base, exec: { command: [...command] }, successThreshold: 1 },
    livenessProbe: {
      ...base,
      exec: { command: [...command] },
      successThreshold: 1,
      ...(start > 0 ? { initialDelaySeconds: start } : {}),
    },
  };
}

/** `test` as an argv: a string or CMD-SHELL runs in /bin/sh -c; CMD is exec'd; NONE disables. */
function testCommand(test: Json | undefined): string[] | undefined {
  if (typeof test === 'string') return test.trim() ? [...SHELL, test] : undefined;
  if (!Array.isArray(test) || test.length === 0) return undefined;
  const [kind, ...rest] = test.map(String);
  if (kind === 'NONE') return undefined;
  if (kind === 'CMD') return rest.length ? rest : undefined;
  if (kind === 'CMD-SHELL') return rest.length ? [...SHELL, rest.join(' ')] : undefined;
  // Old files sometimes omit the prefix: treat the list as CMD.
  return test.map(String);
}
