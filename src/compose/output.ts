// Converted objects as multi-document YAML for `kubectl apply -f -`, and warnings as text.
import { stringify } from 'yaml';
import type { KObject } from '../api/object.ts';
import type { ComposeWarning } from './types.ts';

/** YAML 1.1 output so strings such as `yes`/`no`/`on` are quoted and kubectl reads them as strings. */
export function toYamlDocuments(objects: KObject[]): string {
  return objects
    .map((o) => stringify(o, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

export function formatWarning(w: ComposeWarning): string {
  return `${w.service !== undefined ? `service "${w.service}": ` : ''}${w.key}: ${w.message}`;
}
