// Kubernetes timestamps (RFC 3339, whole seconds, UTC) to and from clock milliseconds.
import { rfc3339 } from '../../util/time-format.ts';

export const toTimestamp = rfc3339;

/** Milliseconds since the epoch, or undefined for an absent or unreadable timestamp. */
export function fromTimestamp(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || !ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}
