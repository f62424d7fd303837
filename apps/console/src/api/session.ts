import type { Credentials } from './studio';

/**
 * The signed-in credentials live in sessionStorage: they survive a reload of the tab and are
 * gone when the tab closes; nothing is written to localStorage or cookies.
 */
const KEY = 'prompt-studio.credentials';

export function loadCredentials(): Credentials | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Credentials>;
    if ((parsed.kind === 'api_key' || parsed.kind === 'bearer') && parsed.secret) {
      return { kind: parsed.kind, secret: parsed.secret };
    }
  } catch {
    // Unreadable: treat as signed out.
  }
  return null;
}

export function saveCredentials(credentials: Credentials): void {
  window.sessionStorage.setItem(KEY, JSON.stringify(credentials));
}

export function clearCredentials(): void {
  window.sessionStorage.removeItem(KEY);
}
