// The kernel side of NetworkPolicy: applies a rendered ruleset atomically, keeps the FORWARD jump
// as the very first rule (anything ACCEPTing above it — the proxy's SKIFF-FORWARD, a firewall —
// would let traffic past the policies), lists and removes every SKIFF-NP-* chain.
import { spawn } from 'node:child_process';
import { NP_CHAIN_PREFIX, NP_FORWARD_CHAIN } from './render.ts';

/** Seconds to wait for the xtables lock. */
const LOCK_WAIT_SECONDS = 5;
const JUMP_COMMENT = 'skiff network policies';

export type Runner = (
  argv: readonly string[],
  input?: string,
) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Runs commands, optionally behind a prefix such as `ip netns exec NAME`. */
export function prefixedRunner(prefix: readonly string[] = []): Runner {
  return (argv, input) =>
    new Promise((resolve) => {
      const full = [...prefix, ...argv];
      const child = spawn(full[0], full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: e.message }));
      child.on('close', (code) =>
        resolve({
          code: code ?? 1,
          stdout: Buffer.concat(out).toString(),
          stderr: Buffer.concat(err).toString(),
        }),
      );
      child.stdin.on('error', () => {});
      child.stdin.end(input ?? '');
    });
}

export class NetpolIptables {
  readonly #run: Runner;

  constructor(opts: { prefix?: readonly string[]; run?: Runner } = {}) {
    this.#run = opts.run ?? prefixedRunner(opts.prefix);
  }

  async #restore(text: string): Promise<void> {
    const r = await this.#run(['iptables-restore', `--wait=${LOCK_WAIT_SECONDS}`, '--noflush'], text);
    if (r.code !== 0) throw new Error(`iptables-restore failed: ${r.stderr.trim()}`);
  }

  async #save(): Promise<string[]> {
    const r = await this.#run(['iptables-save', '-t', 'filter']);
    if (r.code !== 0) throw new Error(`iptables-save -t filter failed: ${r.stderr.trim()}`);
    return r.stdout.split('\n');
  }

  /** SKIFF-NP-* chains present now. */
  async listChains(): Promise<string[]> {
    return (await this.#save())
      .filter((l) => l.startsWith(`:${NP_CHAIN_PREFIX}`))
      .map((l) => l.slice(1).split(' ')[0]);
  }

  async apply(text: string): Promise<void> {
    await this.#restore(text);
  }

  /** Makes `-j SKIFF-NP-FORWARD` the first FORWARD rule (moving it there if something got above it). */
  async ensureJump(): Promise<void> {
    const lines = await this.#save();
    const forward = lines.filter((l) => l.startsWith('-A FORWARD '));
    const mine = forward.filter((l) => l.endsWith(`-j ${NP_FORWARD_CHAIN}`));
    if (mine.length === 1 && forward[0] === mine[0]) return;
    const text = ['*filter'];
    if (!lines.some((l) => l.startsWith(`:${NP_FORWARD_CHAIN} `))) text.push(`:${NP_FORWARD_CHAIN} - [0:0]`);
    for (const l of mine) text.push(`-D${l.slice(2)}`);
    text.push(`-I FORWARD 1 -m comment --comment "${JUMP_COMMENT}" -j ${NP_FORWARD_CHAIN}`, 'COMMIT', '');
    await this.#restore(text.join('\n'));
  }

  /** Removes the jump and every SKIFF-NP-* chain; idempotent. */
  async cleanup(): Promise<void> {
    const lines = await this.#save();
    const chains = lines
      .filter((l) => l.startsWith(`:${NP_CHAIN_PREFIX}`))
      .map((l) => l.slice(1).split(' ')[0]);
    const jumps = lines.filter(
      (l) => l.startsWith('-A ') && !l.startsWith(`-A ${NP_CHAIN_PREFIX}`) && / -j SKIFF-NP-\S+$/.test(l),
    );
    if (chains.length === 0 && jumps.length === 0) return;
    const text = ['*filter', ...jumps.map((l) => `-D${l.slice(2)}`)];
    for (const c of chains) text.push(`-F ${c}`);
    for (const c of chains) text.push(`-X ${c}`);
    text.push('COMMIT', '');
    await this.#restore(text.join('\n'));
  }
}
