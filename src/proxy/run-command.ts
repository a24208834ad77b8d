// Runs a host command with optional stdin, collecting its output. The proxy's only process spawner,
// so a backend can be pointed into a network namespace by a command prefix (`ip netns exec NAME`).
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (argv: readonly string[], input?: string) => Promise<CommandResult>;

/** A missing binary reports code 127, like a shell would, instead of throwing. */
export const MISSING_BINARY_CODE = 127;

export function commandRunner(prefix: readonly string[] = []): CommandRunner {
  return (argv, input) =>
    new Promise((resolve) => {
      const full = [...prefix, ...argv];
      const child = spawn(full[0], full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e: NodeJS.ErrnoException) =>
        resolve({ code: e.code === 'ENOENT' ? MISSING_BINARY_CODE : 1, stdout: '', stderr: e.message }),
      );
      child.on('close', (code) =>
        resolve({
          code: code ?? 1,
          stdout: Buffer.concat(out).toString(),
          stderr: Buffer.concat(err).toString(),
        }),
      );
      // A child that exits before reading stdin makes the write fail with EPIPE; the exit code tells.
      child.stdin.on('error', () => {});
      child.stdin.end(input ?? '');
    });
}
