// The bearer token lives in sessionStorage: it survives reloads of this tab but not the browser.
export const TOKEN_KEY = 'skiff.token';
export const USER_KEY = 'skiff.user';

interface Store {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

const store = (): Store => (globalThis as unknown as { sessionStorage: Store }).sessionStorage;

export const loadToken = (): string | undefined => store().getItem(TOKEN_KEY) ?? undefined;
export const loadUser = (): string => store().getItem(USER_KEY) ?? '';
export function saveSession(token: string, user: string): void {
  store().setItem(TOKEN_KEY, token);
  store().setItem(USER_KEY, user);
}
export function clearSession(): void {
  store().removeItem(TOKEN_KEY);
  store().removeItem(USER_KEY);
}
