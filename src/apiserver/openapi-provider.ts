// Builds the OpenAPI documents on first request, not at start-up: only create/apply/explain need
// them, and start-up time is a product feature.
import type { KindDef } from '../api/kinds/types.ts';
import { buildOpenApiV3 } from './openapi/openapi.ts';
import type { OpenApiProvider } from './server.ts';
import { KUBERNETES_VERSION } from './server.ts';

export function lazyOpenApi(kinds: readonly KindDef[]): OpenApiProvider {
  let built: ReturnType<typeof buildOpenApiV3> | undefined;
  const get = () => {
    built ??= buildOpenApiV3(kinds, { version: KUBERNETES_VERSION.gitVersion });
    return built;
  };
  return {
    root: () => get().root,
    doc: (path) => get().docs.get(path),
  };
}
