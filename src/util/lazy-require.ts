// Loads an npm package synchronously on first use instead of at start-up. Packages needed only by
// some requests (YAML bodies, JSON patch) would otherwise cost every idle server their resident
// memory; a dynamic import() would make the callers async for no other reason. Resolution walks up
// from this module, which finds the project's node_modules from src/ and from the bundle in dist/.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function lazyRequire<T>(name: string): () => T {
  let mod: T | undefined;
  return () => {
    mod ??= require(name) as T;
    return mod;
  };
}

/**
 * The YAML library, for request bodies, configs and kubeconfigs that are not JSON: loaded on first
 * use, so an idle server or node agent does not hold it (~2.6 MB resident once loaded).
 */
export const yaml = lazyRequire<typeof import('yaml')>('yaml');
