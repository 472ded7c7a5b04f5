// The Inventory screen's rules, pure so they are tested: the search and filters over every
// token of the tenant, the owners to filter by, which tokens of a view a bulk revoke takes,
// and the reason's checks (the server's: required, at most 500 characters, one line).
import type { InventoryToken } from '../../lib/types';
import { matchesStatus, type StatusFilter } from '../../lib/tokens';

export const MAX_REASON = 500;
export const MAX_BULK = 1000;

export interface InventoryFilter {
  query: string;
  status: StatusFilter;
  /** An owner's user id, or '' for everyone. */
  owner: string;
}

/** The search looks at the token's name and prefix and its owner's name and e-mail. */
export function matchesInventory(t: InventoryToken, f: InventoryFilter): boolean {
  if (f.owner !== '' && t.owner.id !== f.owner) return false;
  if (!matchesStatus(t, f.status)) return false;
  const q = f.query.trim().toLowerCase();
  if (q === '') return true;
  return [t.name, t.prefix, t.owner.name, t.owner.email].some((s) => s.toLowerCase().includes(q));
}

/** Everyone who owns a token, once each, by name. */
export function ownerChoices(tokens: readonly InventoryToken[]): { id: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const t of tokens) {
    if (!seen.has(t.owner.id)) seen.set(t.owner.id, `${t.owner.name} (${t.owner.email})`);
  }
  return [...seen].map(([id, label]) => ({ id, label })).sort((a, b) => a.label.localeCompare(b.label));
}

/** What **Revoke selected** takes from the view: its tokens that still work. */
export function revocable(view: readonly InventoryToken[]): InventoryToken[] {
  return view.filter((t) => t.status === 'active');
}

/** Why a reason can't be sent, or null when it can. */
export function reasonError(reason: string): string | null {
  const r = reason.trim();
  if (r === '') return 'Say why: the owner sees the reason in their activity.';
  if ([...r].length > MAX_REASON) return `Use at most ${MAX_REASON} characters.`;
  if (/[\r\n]/.test(r)) return 'Keep the reason to one line.';
  return null;
}
