// An append-only log file rotated by size: when the next line would take it past maxBytes it
// becomes `<path>.1` (older backups shift to .2 … .N, the oldest is removed) and a new file starts.
// Writes are synchronous so lines keep request order and survive a crash of the process.
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export interface LogFileOptions {
  /** Rotate past this size; 0: never. */
  maxBytes?: number;
  /** Rotated files kept. */
  maxBackups?: number;
}

export class RotatingFile {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #maxBackups: number;
  #fd: number;
  #size: number;

  constructor(path: string, opts: LogFileOptions = {}) {
    this.path = path;
    this.#maxBytes = opts.maxBytes ?? 0;
    this.#maxBackups = opts.maxBackups ?? 0;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  write(line: string): void {
    const buf = Buffer.from(line);
    if (this.#maxBytes > 0 && this.#size > 0 && this.#size + buf.length > this.#maxBytes) this.#rotate();
    writeSync(this.#fd, buf);
    this.#size += buf.length;
  }

  #rotate(): void {
    closeSync(this.#fd);
    if (this.#maxBackups <= 0) rmSync(this.path, { force: true });
    else {
      rmSync(`${this.path}.${this.#maxBackups}`, { force: true });
      for (let i = this.#maxBackups - 1; i >= 1; i--) {
        if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.#fd = openSync(this.path, 'a', 0o600);
    this.#size = 0;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
