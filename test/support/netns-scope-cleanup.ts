// Runs a scope's clean-up (runtime, pod network, the proxy's and enforcer's chains, host-gw
// routes) inside one host of a multi-host test, where that node's bridge, rules and routes live,
// and reports what is left there. Started by scopeCleanupInHost() through nsenter; prints JSON.
import { fileURLToPath } from 'node:url';
import { ROUTE_PROTO } from '../../src/agent/cni/host-gw-routes.ts';
import { runCommand } from '../../src/agent/runtime/command.ts';
import { inHost } from './netns-hosts.ts';
import { cleanUpScope, type RuntimeScope } from './runtime-leaks.ts';

export interface HostCleanupReport {
  errors: string[];
  busy: string[];
  leaks: string[];
}

/** The clean-up of `scope` as seen from inside `netns` (the agent's host). */
export async function scopeCleanupInHost(netns: string, scope: RuntimeScope): Promise<HostCleanupReport> {
  const r = await inHost(netns, [process.execPath, fileURLToPath(import.meta.url), JSON.stringify(scope)], {
    allowFailure: true,
  });
  if (r.code !== 0) return { errors: [`clean-up in ${netns} failed: ${r.stderr}`], busy: [], leaks: [] };
  return JSON.parse(r.stdout) as HostCleanupReport;
}

async function main(scope: RuntimeScope): Promise<HostCleanupReport> {
  const errors: string[] = [];
  const { busy, leaks } = await cleanUpScope(scope, errors, { removeState: true, serviceChains: true });
  const routes = await runCommand('ip', ['-4', 'route', 'show', 'proto', ROUTE_PROTO], {
    allowFailure: true,
  });
  for (const line of routes.stdout.split('\n')) if (line.trim()) leaks.push(`route ${line.trim()}`);
  return { errors, busy, leaks };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await main(JSON.parse(process.argv[2] ?? '{}') as RuntimeScope);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
