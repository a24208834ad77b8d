// What the dashboard's browser tests share: Debian's Chromium with the flags that keep it off the
// network, and a document load that survives Chromium's ERR_NETWORK_CHANGED.
import type { Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Flags that keep Chromium off the network: it may only talk to our 127.0.0.1 server. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--disable-gpu',
];
/** A full load of the dashboard document: tries, and how long each may take to show a view. */
const LOAD_ATTEMPTS = 3;
const LOAD_MS = 10_000;

/**
 * Loads the dashboard document (or reloads it) until its first view shows. Chromium fails a load
 * that is still connecting with ERR_NETWORK_CHANGED when the host's interfaces change — as they do
 * whenever a node (or another test on the machine) sets up a pod network — so a full load is
 * retried; the UI's own API calls retry themselves (src/dashboard/ui/api.ts).
 */
export async function loadDashboard(p: Page, go: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await go();
      await p.getByLabel('Token').or(p.locator('header.top')).first().waitFor({ timeout: LOAD_MS });
      return;
    } catch (err) {
      if (attempt >= LOAD_ATTEMPTS) throw err;
      console.log(`dashboard load failed (attempt ${attempt}), again: ${String(err).split('\n')[0]}`);
    }
  }
}

/** Opens the dashboard of the server at `url` and signs in with a bearer token. */
export async function signIn(p: Page, url: string, token: string): Promise<void> {
  await loadDashboard(p, () => p.goto(`${url}/dashboard/`));
  await p.getByLabel('Token').fill(token);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.locator('header.top').waitFor();
}
