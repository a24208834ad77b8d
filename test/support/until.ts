// The tests' one wait loop: call `fn` until it yields a value (anything but undefined or false),
// sleeping `pollMs` between calls; after `timeoutMs` fail with what was awaited and, from
// `detail`, whatever helps to see why (server logs, child output).
export interface UntilOptions {
  timeoutMs: number;
  pollMs: number;
  /** Appended to the timeout error on its own lines. */
  detail?: () => string;
  /** Treat a throwing `fn` as not ready yet; the last error goes into the timeout message. */
  retryErrors?: boolean;
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  o: UntilOptions,
): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      if (!o.retryErrors) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      const cause = last === undefined ? '' : `: ${String(last)}`;
      const detail = o.detail ? `\n${o.detail()}` : '';
      throw new Error(`timed out waiting for ${what}${cause}${detail}`);
    }
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}
