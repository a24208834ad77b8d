// What `./skiff agent` adds to a plain `node dist/skiff.mjs agent`: the Node flags and the glibc
// malloc tunables, read from scripts/lib.sh itself so benchmarks and tests run the agent as it
// ships instead of a copy that could drift.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LAUNCHER_LIB = join(import.meta.dirname, 'lib.sh');

/**
 * The Node flags `./skiff agent` runs with: SKIFF_NODE_FLAGS plus SKIFF_AGENT_NODE_FLAGS, read
 * from the launcher's own file so the benchmark cannot drift from what ships.
 */
export function launcherAgentFlags(lib: string): string[] {
  const array = (name: string): string[] => {
    const m = new RegExp(`^${name}=\\(([^)]*)\\)`, 'm').exec(lib);
    if (!m) throw new Error(`${name} not found in scripts/lib.sh`);
    return (m[1] ?? '').split(/\s+/).filter(Boolean);
  };
  return [...array('SKIFF_NODE_FLAGS'), ...array('SKIFF_AGENT_NODE_FLAGS')];
}

/** The GLIBC_TUNABLES `./skiff agent` adds (SKIFF_AGENT_MALLOC_TUNABLES in scripts/lib.sh). */
export function launcherAgentTunables(lib: string): string {
  const m = /^SKIFF_AGENT_MALLOC_TUNABLES="([^"]*)"/m.exec(lib);
  if (!m) throw new Error('SKIFF_AGENT_MALLOC_TUNABLES not found in scripts/lib.sh');
  return m[1] ?? '';
}

/** argv prefix and environment that start `node … agent` as the launcher does. */
export function launcherAgentCommand(lib = readFileSync(LAUNCHER_LIB, 'utf8')): {
  nodeArgs: string[];
  env: NodeJS.ProcessEnv;
} {
  const tunables = [process.env.GLIBC_TUNABLES, launcherAgentTunables(lib)].filter(Boolean).join(':');
  return { nodeArgs: launcherAgentFlags(lib), env: { ...process.env, GLIBC_TUNABLES: tunables } };
}
