// etcd and gRPC failures as StorageErrors. Transient ones (no leader, member down, timeouts,
// an open circuit breaker) become Unavailable, which callers may retry; etcd's "compacted" and
// "future revision" range errors become Compacted and the too-new Unavailable.
import { ClientClosedError, isRecoverableError } from 'etcd3';
import { compacted, futureRevision, unavailable } from '../errors.ts';
import { StorageError } from '../types.ts';

const COMPACTED_MESSAGE = 'required revision has been compacted';
const FUTURE_MESSAGE = 'required revision is a future revision';
/** etcd server errors that say "not now" rather than "no". */
const TRANSIENT_MESSAGES = [
  'etcdserver: request timed out',
  'etcdserver: leader changed',
  'etcdserver: no leader',
  'etcdserver: too many requests',
  'etcdserver: server stopped',
  'etcdserver: not capable',
  'circuit breaker is open',
  'No connection established',
];

export const isFutureRevisionError = (err: unknown): boolean =>
  err instanceof StorageError && err.kind === 'Unavailable' && err.message.includes('in the future');

/** A StorageError for err; errors that are neither etcd's nor transient are returned unchanged. */
export function fromEtcdError(
  err: unknown,
  ctx: { revision?: number; watermark?: number; head?: number } = {},
): unknown {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes(COMPACTED_MESSAGE)) return compacted(ctx.revision ?? 0, ctx.watermark ?? 0);
  if (message.includes(FUTURE_MESSAGE)) return futureRevision(ctx.revision ?? 0, ctx.head ?? 0);
  if (
    err instanceof ClientClosedError ||
    (err instanceof Error && isRecoverableError(err)) ||
    TRANSIENT_MESSAGES.some((m) => message.includes(m))
  ) {
    return unavailable(`etcd unavailable: ${message}`, err);
  }
  return err;
}
