// Keeps the SQLite files bounded: WAL checkpoints that truncate the WAL file, and incremental
// vacuum that returns the pages compaction freed to the file system (auto_vacuum=INCREMENTAL).
// Both run on a timer and after every compaction, in small steps between which the event loop
// runs, so a large vacuum never stalls requests for long.
//
//   compaction deletes rows ─► pages on the freelist ─► incremental_vacuum(N) ─► file shrinks
//   commits append to WAL ─► autocheckpoint copies back ─► wal_checkpoint(TRUNCATE) ─► WAL = 0 B

import type { DatabaseSync } from 'node:sqlite';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Pages freed per incremental_vacuum step (1 MiB at 4 KiB pages): a few ms of work. */
const VACUUM_STEP_PAGES = 256;
/** Bounds one maintenance run even on a huge freelist; the next run continues. */
const MAX_VACUUM_STEPS = 4_096;

export interface MaintenanceResult {
  walPagesCheckpointed: number;
  pagesFreed: number;
}

export class Maintenance {
  readonly #db: DatabaseSync;
  #running: Promise<MaintenanceResult> | undefined;
  #stopped = false;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Checkpoint (TRUNCATE) then vacuum free pages; concurrent calls share one run. */
  run(): Promise<MaintenanceResult> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running?.catch(() => {});
  }

  async #run(): Promise<MaintenanceResult> {
    let pagesFreed = 0;
    for (let i = 0; i < MAX_VACUUM_STEPS && !this.#stopped && this.#db.isOpen; i++) {
      const free = this.#pragma('freelist_count');
      if (free === 0) break;
      this.#db.exec(`PRAGMA incremental_vacuum(${Math.min(free, VACUUM_STEP_PAGES)});`);
      pagesFreed += free - this.#pragma('freelist_count');
      await yieldToEventLoop();
    }
    let walPagesCheckpointed = 0;
    if (!this.#stopped && this.#db.isOpen) {
      const r = this.#db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as { checkpointed: number };
      walPagesCheckpointed = Math.max(r.checkpointed, 0);
    }
    return { walPagesCheckpointed, pagesFreed };
  }

  #pragma(name: string): number {
    const r = this.#db.prepare(`PRAGMA ${name}`).get() as Record<string, number>;
    return r[name];
  }
}
