/**
 * The admin token, kept in this tab's sessionStorage only (never
 * localStorage, a cookie or a URL): it ends with the tab, and leaves the
 * page only as a bearer header (api.ts).
 */

const TOKEN_KEY = "bluegreen.adminToken";

/** The stored token, or null (none yet, or storage unavailable). */
export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Keeps the token for this tab. */
export function storeToken(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage refused (private mode): the prompt comes back at the next refresh.
  }
}

/** Forgets the token. */
export function forgetToken(): void {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing stored.
  }
}
