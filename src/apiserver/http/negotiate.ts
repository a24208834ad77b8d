// Content negotiation as kubectl uses it: walk the Accept list in order; `as=Table` picks the
// server-side Table; aggregated discovery picks v2 or v2beta1 as the client lists them.

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header
    .split(',')
    .map((part) => {
      const [type, ...ps] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of ps) {
        const eq = p.indexOf('=');
        if (eq > 0)
          params[p.slice(0, eq).trim().toLowerCase()] = p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, '');
      }
      return { type: type.toLowerCase(), params };
    })
    .filter((m) => m.type !== '');
}

export type ObjectFormat =
  | { kind: 'json' }
  | { kind: 'table'; version: 'v1' | 'v1beta1'; contentType: string };

const JSONISH = new Set([
  'application/json',
  '*/*',
  'application/*',
  'application/vnd.kubernetes.protobuf',
  'application/yaml',
]);

/** Table when the first acceptable entry asks for it; JSON for anything else acceptable. */
export function negotiateObjectFormat(accept: MediaType[]): ObjectFormat {
  for (const m of accept) {
    if (m.params.as === 'Table' && m.type === 'application/json' && m.params.g === 'meta.k8s.io') {
      if (m.params.v === 'v1' || m.params.v === 'v1beta1') {
        return {
          kind: 'table',
          version: m.params.v,
          contentType: `application/json;as=Table;v=${m.params.v};g=meta.k8s.io`,
        };
      }
      continue;
    }
    if (m.params.as) continue; // PartialObjectMetadata etc. are not served; fall through to JSON
    if (JSONISH.has(m.type)) return { kind: 'json' };
  }
  return { kind: 'json' };
}

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

export function negotiateDiscovery(accept: MediaType[]): { format: DiscoveryFormat; contentType: string } {
  for (const m of accept) {
    if (
      m.params.as === 'APIGroupDiscoveryList' &&
      m.params.g === 'apidiscovery.k8s.io' &&
      m.type === 'application/json'
    ) {
      if (m.params.v === 'v2' || m.params.v === 'v2beta1') {
        return {
          format: m.params.v,
          contentType: `application/json;g=apidiscovery.k8s.io;v=${m.params.v};as=APIGroupDiscoveryList`,
        };
      }
      continue;
    }
    if (!m.params.as) return { format: 'legacy', contentType: 'application/json' };
  }
  return { format: 'legacy', contentType: 'application/json' };
}
