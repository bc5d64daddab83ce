/**
 * Remembers `auto`'s backend choice per device in localStorage, so the next start skips measuring.
 * The worker checks the device key, so a copied profile on other hardware measures again.
 */
import type { RememberedBackend } from '../protocol/engine-options';

const KEY = 'trainwhistle.backend';

export function rememberedBackend(): RememberedBackend | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? 'null') as RememberedBackend | null;
    return value && typeof value.deviceKey === 'string' && typeof value.backend === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function rememberBackend(choice: RememberedBackend): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(choice));
  } catch {
    // Private mode or storage full: the next start measures again, which is only slower.
  }
}

export function forgetBackend(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing remembered then either.
  }
}
