// Browsers open at most 6 HTTP/1.1 connections per host for a whole profile, and each watch holds
// one for as long as it runs. Past a handful of watches (two tabs, a busy view) every other request
// — a Scale click included — would queue behind them forever. So a tab streams at most
// MAX_WATCHES watches (two tabs then hold 4 of the 6 connections, leaving 2 for requests and
// log streams); other lists re-list every POLL_MS until a slot frees.
export const MAX_WATCHES = 2;
export const POLL_MS = 2000;

export class WatchBudget {
  readonly max: number;
  #used = 0;

  constructor(max = MAX_WATCHES) {
    this.max = max;
  }

  get used(): number {
    return this.#used;
  }

  /** A release function when a slot is free (call it exactly once), else undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.#used >= this.max) return undefined;
    this.#used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used--;
    };
  }
}

/** The tab's budget, shared by every live list. */
export const watchBudget = new WatchBudget();
/** For lists that are fine polled (namespaces, events): they never take a watch slot. */
export const pollOnly = new WatchBudget(0);
