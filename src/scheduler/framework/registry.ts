// Plugin name → factory. The in-tree registry lives in plugins/registry.ts; out-of-tree plugins
// are merged in by the wiring.
import type { PluginFactory } from './interface.ts';

export type Registry = ReadonlyMap<string, PluginFactory>;

export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Merge registries; a name registered twice is a configuration error. */
export function mergeRegistries(...registries: Registry[]): Registry {
  const out = new Map<string, PluginFactory>();
  for (const r of registries) {
    for (const [name, f] of r) {
      if (out.has(name)) throw new RegistryError(`a plugin named ${name} already exists`);
      out.set(name, f);
    }
  }
  return out;
}
