// The kernel side of the proxy: applies a rendered ruleset atomically, keeps the jumps from the
// built-in chains in place, lists and removes everything SKIFF-*. The real implementation drives
// iptables-restore/iptables-save (nft backend here) through a CommandRunner.
import { CHAIN_PREFIX, JUMP_RULES, type JumpRule, type Table } from './chains.ts';
import { type CommandRunner, commandRunner } from './run-command.ts';

export interface IptablesBackend {
  /** Applies an iptables-restore input with --noflush: all tables in it commit, or none do. */
  apply(ruleset: string): Promise<void>;
  /** Inserts at the top of their built-in chains whichever jump rules are missing. */
  ensureJumps(rules?: readonly JumpRule[]): Promise<void>;
  /** SKIFF-* chains currently present, per table. */
  listChains(): Promise<Record<Table, string[]>>;
  /** Removes every jump into a SKIFF-* chain and every SKIFF-* chain. Idempotent. */
  cleanup(): Promise<void>;
  /** Lets NodePorts answer on 127.0.0.1 (net.ipv4.conf.all.route_localnet=1). */
  enableRouteLocalnet(): Promise<void>;
  /** Puts route_localnet back to what enableRouteLocalnet found, if it changed it. Idempotent. */
  restoreRouteLocalnet(): Promise<void>;
}

export class IptablesError extends Error {
  override name = 'IptablesError';
  readonly stderr: string;
  constructor(message: string, stderr: string) {
    super(`${message}: ${stderr.trim()}`);
    this.stderr = stderr;
  }
}

/** Seconds to wait for the xtables lock (legacy backend; harmless on nft). */
const LOCK_WAIT_SECONDS = 5;
const TABLES: readonly Table[] = ['filter', 'nat'];
const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';

/** Parses iptables-save output into tables of chain names and rule lines. */
export function parseSave(text: string): Map<string, { chains: string[]; rules: string[] }> {
  const tables = new Map<string, { chains: string[]; rules: string[] }>();
  let cur: { chains: string[]; rules: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      cur = { chains: [], rules: [] };
      tables.set(line.slice(1).trim(), cur);
    } else if (!cur) continue;
    else if (line.startsWith(':')) cur.chains.push(line.slice(1).split(' ')[0]);
    else if (line.startsWith('-A ')) cur.rules.push(line);
  }
  return tables;
}

const targetOf = (rule: string): string | undefined => / -j (\S+)/.exec(rule)?.[1];
const chainOf = (rule: string): string => rule.split(' ')[1];

export class ExecIptablesBackend implements IptablesBackend {
  readonly #run: CommandRunner;
  /** route_localnet as enableRouteLocalnet found it, while it stands changed. */
  #localnetBefore: string | undefined;

  /** `prefix` runs every command elsewhere, e.g. `['ip', 'netns', 'exec', 'skiff-x']`. */
  constructor(opts: { prefix?: readonly string[]; run?: CommandRunner } = {}) {
    this.#run = opts.run ?? commandRunner(opts.prefix);
  }

  async apply(ruleset: string): Promise<void> {
    const r = await this.#run(['iptables-restore', `--wait=${LOCK_WAIT_SECONDS}`, '--noflush'], ruleset);
    if (r.code !== 0) throw new IptablesError('iptables-restore failed', r.stderr);
  }

  async #save(): Promise<Map<string, { chains: string[]; rules: string[] }>> {
    const out = new Map<string, { chains: string[]; rules: string[] }>();
    for (const t of TABLES) {
      const r = await this.#run(['iptables-save', '-t', t]);
      if (r.code !== 0) throw new IptablesError(`iptables-save -t ${t} failed`, r.stderr);
      const parsed = parseSave(r.stdout).get(t);
      if (parsed) out.set(t, parsed);
    }
    return out;
  }

  async ensureJumps(rules: readonly JumpRule[] = JUMP_RULES): Promise<void> {
    const saved = await this.#save();
    // Present means: some rule in that built-in chain already jumps to that target (iptables-save
    // reorders and requotes arguments, so comparing text would report false misses).
    const missing = rules.filter(
      (j) => !saved.get(j.table)?.rules.some((r) => chainOf(r) === j.chain && targetOf(r) === j.target),
    );
    if (missing.length === 0) return;
    let text = '';
    for (const t of TABLES) {
      const mine = missing.filter((j) => j.table === t);
      if (mine.length === 0) continue;
      text += `*${t}\n`;
      // Declaring an existing chain would flush it: declare only targets not created yet.
      const existing = new Set(saved.get(t)?.chains ?? []);
      for (const c of new Set(mine.map((j) => j.target))) if (!existing.has(c)) text += `:${c} - [0:0]\n`;
      // Inserted at position 1 in reverse so the final order matches the list.
      for (const j of [...mine].reverse())
        text += `-I ${j.chain} 1 ${j.args.map(quoteArg).join(' ')} -j ${j.target}\n`;
      text += 'COMMIT\n';
    }
    await this.apply(text);
  }

  async listChains(): Promise<Record<Table, string[]>> {
    const saved = await this.#save();
    const mine = (t: Table) => (saved.get(t)?.chains ?? []).filter((c) => c.startsWith(CHAIN_PREFIX)).sort();
    return { filter: mine('filter'), nat: mine('nat') };
  }

  async cleanup(): Promise<void> {
    const saved = await this.#save();
    let text = '';
    for (const t of TABLES) {
      const table = saved.get(t);
      if (!table) continue;
      const chains = table.chains.filter((c) => c.startsWith(CHAIN_PREFIX));
      const jumps = table.rules.filter(
        (r) => !chainOf(r).startsWith(CHAIN_PREFIX) && targetOf(r)?.startsWith(CHAIN_PREFIX),
      );
      if (chains.length === 0 && jumps.length === 0) continue;
      text += `*${t}\n`;
      for (const c of chains) text += `:${c} - [0:0]\n`;
      // iptables-save output is valid restore input, so "-A" lines become exact "-D" lines.
      for (const r of jumps) text += `-D${r.slice(2)}\n`;
      for (const c of chains) text += `-X ${c}\n`;
      text += 'COMMIT\n';
    }
    if (text) await this.apply(text);
  }

  // kube-proxy leaves the sysctl set; skiff records what it found so cleanup() (uninstall,
  // tests) leaves the host as it was. A process restart sees its own 1 and keeps it.
  async enableRouteLocalnet(): Promise<void> {
    const cur = await this.#run(['cat', ROUTE_LOCALNET]);
    if (cur.code !== 0) throw new IptablesError('reading route_localnet failed', cur.stderr);
    const before = cur.stdout.trim();
    if (before === '1') return;
    await this.#writeLocalnet('1');
    this.#localnetBefore ??= before;
  }

  async restoreRouteLocalnet(): Promise<void> {
    if (this.#localnetBefore === undefined) return;
    await this.#writeLocalnet(this.#localnetBefore);
    this.#localnetBefore = undefined;
  }

  async #writeLocalnet(value: string): Promise<void> {
    if (!/^\d+$/.test(value)) throw new IptablesError('refusing to write route_localnet', value);
    const r = await this.#run(['sh', '-c', `echo ${value} > ${ROUTE_LOCALNET}`]);
    if (r.code !== 0) throw new IptablesError('setting route_localnet failed', r.stderr);
  }
}

/** Quotes an argument for iptables-restore's tokenizer when it holds spaces. */
function quoteArg(a: string): string {
  return /[\s"]/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a;
}
