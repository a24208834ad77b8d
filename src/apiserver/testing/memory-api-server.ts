// A real API server in the process over memory storage, with every built-in kind and the object
// metadata validators, for tests and benchmarks; their options (TLS, an authenticator, fewer
// kinds, …) override. Only tests and benchmarks import this file.
import { ALL_KINDS } from '../../api/kinds/index.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/index.ts';
import { openMemoryBackend } from '../../storage/memory/memory-backend.ts';
import type { StorageBackend } from '../../storage/types.ts';
import { ApiServer, type ApiServerOptions } from '../server.ts';

export function memoryApiServer(opts: Partial<ApiServerOptions> = {}): {
  api: ApiServer;
  backend: StorageBackend;
} {
  const backend = opts.backend ?? openMemoryBackend();
  const api = new ApiServer({
    kinds: ALL_KINDS,
    validateMeta: validateObjectMeta,
    validateMetaUpdate: validateObjectMetaUpdate,
    ...opts,
    backend,
  });
  return { api, backend };
}
