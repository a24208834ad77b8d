// Invoking a CNI plugin binary: the command and container in environment variables, the network
// configuration as JSON on stdin, the result (or a CNI error object) as JSON on stdout.

import { join } from 'node:path';
import { runCommand } from '../runtime/command.ts';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

export interface CniInvocation {
  binDir: string;
  plugin: string;
  command: CniCommand;
  containerId: string;
  netns: string;
  ifName: string;
  config: object;
}

/** A plugin's error answer (`{"code": 7, "msg": "…", "details": "…"}`). */
export class CniError extends Error {
  readonly code: number;
  readonly plugin: string;

  constructor(plugin: string, code: number, message: string) {
    super(`CNI ${plugin}: ${message}`);
    this.name = 'CniError';
    this.plugin = plugin;
    this.code = code;
  }
}

export interface CniResult {
  cniVersion: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { interface?: number; address: string; gateway?: string }[];
  routes?: { dst: string; gw?: string }[];
  dns?: object;
}

export async function invokePlugin(inv: CniInvocation): Promise<CniResult | undefined> {
  const res = await runCommand(join(inv.binDir, inv.plugin), [], {
    input: JSON.stringify(inv.config),
    allowFailure: true,
    env: {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: inv.command,
      CNI_CONTAINERID: inv.containerId,
      CNI_NETNS: inv.netns,
      CNI_IFNAME: inv.ifName,
      CNI_PATH: inv.binDir,
    },
  });
  if (res.code !== 0) {
    let code = res.code;
    let msg = res.stderr.trim() || res.stdout.trim();
    try {
      const e = JSON.parse(res.stdout) as { code?: number; msg?: string; details?: string };
      code = e.code ?? code;
      msg = [e.msg, e.details].filter(Boolean).join(': ') || msg;
    } catch {
      // not JSON: keep the raw output
    }
    throw new CniError(inv.plugin, code, msg);
  }
  return res.stdout.trim() ? (JSON.parse(res.stdout) as CniResult) : undefined;
}
