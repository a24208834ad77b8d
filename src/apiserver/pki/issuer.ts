// Certificate issuance (certs.ts) run in a short-lived child process. The X.509 library behind it
// (@peculiar/x509: ~150 modules of ASN.1 schemas, tsyringe, reflect-metadata) stays resident for the
// life of whatever process loads it — ~6 MB of a server that needs it only when a data dir is first
// initialised or a certificate is re-issued. A child process takes it away when it exits; a worker
// thread would not (measured: the process keeps a dead worker's heap pages and malloc arena, and
// idle RSS went up, not down). The child starts on the first call and is let go once no call has
// been pending for IDLE_EXIT_MS; it costs ~0.1 s the first time a data dir is initialised.
//
//   createCa / issueLeaf ─► IPC {id, fn, args} ─► issuer-worker.ts ─► certs.ts ─► IPC {id, result}
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KeyPairPem, LeafSpec } from './certs.ts';

/** Long enough to batch a start-up's sequence of issuances into one worker. */
const IDLE_EXIT_MS = 1000;
/**
 * Where the child's module is: beside this file (src/, tests) or, in the bundle, dist/pki-worker.mjs
 * — one level up from a chunk (dist/chunks/) or beside the entry (dist/).
 */
const CANDIDATES = ['./issuer-worker.ts', '../pki-worker.mjs', './pki-worker.mjs'];

export interface IssuerRequest {
  id: number;
  fn: 'createCa' | 'issueLeaf';
  args: unknown[];
}
export type IssuerReply = { id: number; result: KeyPairPem } | { id: number; error: string };

interface Pending {
  resolve: (v: KeyPairPem) => void;
  reject: (e: Error) => void;
}

let worker: ChildProcess | undefined;
let nextId = 0;
let idleTimer: NodeJS.Timeout | undefined;
const pending = new Map<number, Pending>();

function workerUrl(): URL {
  for (const rel of CANDIDATES) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`certificate issuer worker not found next to ${import.meta.url}`);
}

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function startWorker(): ChildProcess {
  // No inherited flags: the parent's may include `--input-type` (node -e) or test-runner flags.
  const w = fork(fileURLToPath(workerUrl()), [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  w.on('message', (reply: IssuerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(new Error(reply.error));
    else p.resolve(reply.result);
    if (pending.size === 0) {
      // Idle: no longer keeps this process alive, and is let go unless another call comes soon.
      unrefChild(w);
      idleTimer = setTimeout(() => void stopIssuer(), IDLE_EXIT_MS);
      idleTimer.unref();
    }
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', (code, signal) => {
    if (worker === w) worker = undefined;
    if (pending.size > 0) failAll(new Error(`certificate issuer exited (${signal ?? code})`));
  });
  return w;
}

function unrefChild(w: ChildProcess): void {
  w.unref();
  w.channel?.unref();
}

function call(fn: IssuerRequest['fn'], args: unknown[]): Promise<KeyPairPem> {
  clearTimeout(idleTimer);
  if (!worker) worker = startWorker();
  const w = worker;
  w.ref();
  w.channel?.ref();
  const id = nextId++;
  const done = new Promise<KeyPairPem>((resolve, reject) => pending.set(id, { resolve, reject }));
  w.send({ id, fn, args } satisfies IssuerRequest);
  return done;
}

/** A self-signed cluster CA (certs.ts createCa), issued in the worker. */
export const createCa = (commonName: string): Promise<KeyPairPem> => call('createCa', [commonName]);

/** A leaf certificate signed by the CA (certs.ts issueLeaf), issued in the worker. */
export const issueLeaf = (ca: KeyPairPem, spec: LeafSpec): Promise<KeyPairPem> =>
  call('issueLeaf', [ca, spec]);

/** Lets the child go now (it also goes by itself when idle); pending calls fail. */
export async function stopIssuer(): Promise<void> {
  clearTimeout(idleTimer);
  const w = worker;
  worker = undefined;
  if (!w || w.exitCode !== null || w.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
  // Closing the channel ends the child (issuer-worker.ts exits on disconnect).
  if (w.connected) w.disconnect();
  else w.kill();
  await exited;
}
