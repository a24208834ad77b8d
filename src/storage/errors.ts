// Constructors for the storage failures every backend raises, so messages read the same
// whichever backend produced them (the apiserver maps the kinds, humans read the messages).
import { type KeyValue, StorageError } from './types.ts';

export const keyExists = (key: string): StorageError =>
  new StorageError('KeyExists', `key already exists: ${key}`, { key });

export const keyNotFound = (key: string): StorageError =>
  new StorageError('NotFound', `key not found: ${key}`, { key });

export const revisionConflict = (
  key: string,
  expected: number,
  current: KeyValue | undefined,
): StorageError =>
  new StorageError(
    'Conflict',
    current
      ? `revision conflict on ${key}: expected ${expected}, current is ${current.modRevision}`
      : `revision conflict on ${key}: expected ${expected}, the key no longer exists`,
    { key, current },
  );

export const compacted = (revision: number, watermark: number): StorageError =>
  new StorageError(
    'Compacted',
    `required revision ${revision} has been compacted; the oldest available revision is ${watermark}`,
    { watermark },
  );

/** Kubernetes answers a too-new resourceVersion with a retryable error; so do we. */
export const futureRevision = (revision: number, current: number): StorageError =>
  new StorageError(
    'Unavailable',
    `revision ${revision} is in the future; the current revision is ${current}`,
  );

export const watcherFellBehind = (limit: number): StorageError =>
  new StorageError(
    'Unavailable',
    `watch closed: the consumer fell behind by more than ${limit} events (writers are never blocked by a watcher)`,
  );

export const backendClosed = (name: string): StorageError =>
  new StorageError('Unavailable', `the ${name} storage backend is closed`);

export const unavailable = (message: string, cause?: unknown): StorageError =>
  new StorageError('Unavailable', message, { cause });
