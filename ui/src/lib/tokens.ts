// The API Keys table's search, status filter and sort, kept apart from the view so it is tested.
import type { TokenListView, TokenRecord, TokenStatus } from './types';
import type { Column, SortState } from './table';

export type SortKey = 'name' | 'prefix' | 'scopes' | 'last_used_at' | 'expires_at' | 'status';
export type SortDir = 'asc' | 'desc';
export type StatusFilter = 'all' | TokenStatus;

export const STATUS_LABEL: Record<TokenStatus, string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

const STATUS_ORDER: Record<TokenStatus, number> = { active: 0, expired: 1, revoked: 2 };

/** Case-insensitive match on the name or the prefix, as the spec's "find the row" step says. */
export function matchesSearch(t: TokenRecord, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  return t.name.toLowerCase().includes(q) || t.prefix.toLowerCase().includes(q);
}

export function matchesStatus(t: TokenRecord, filter: StatusFilter): boolean {
  return filter === 'all' || t.status === filter;
}

function timeValue(iso: string | null, missing: number): number {
  return iso === null ? missing : new Date(iso).getTime();
}

function compare(a: TokenRecord, b: TokenRecord, key: SortKey): number {
  switch (key) {
    case 'name':
      return a.name.localeCompare(b.name, 'en', { sensitivity: 'base' });
    case 'prefix':
      return a.prefix.localeCompare(b.prefix);
    case 'scopes':
      return a.scopes.join(',').localeCompare(b.scopes.join(','));
    case 'last_used_at':
      // Never used sorts as the oldest.
      return timeValue(a.last_used_at, -Infinity) - timeValue(b.last_used_at, -Infinity);
    case 'expires_at':
      // No expiry sorts as the furthest future.
      return timeValue(a.expires_at, Infinity) - timeValue(b.expires_at, Infinity);
    case 'status':
      return STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
  }
}

/** A stable sort; ties keep the server's order (newest first). */
export function sortTokens(tokens: TokenRecord[], key: SortKey, dir: SortDir): TokenRecord[] {
  const sign = dir === 'asc' ? 1 : -1;
  return tokens
    .map((t, i) => ({ t, i }))
    .sort((x, y) => {
      const c = compare(x.t, y.t, key);
      // Infinity - Infinity is NaN: equal.
      if (c !== 0 && !Number.isNaN(c)) return c * sign;
      return x.i - y.i;
    })
    .map(({ t }) => t);
}

export interface TableView {
  query: string;
  status: StatusFilter;
  sortKey: SortKey | null;
  sortDir: SortDir;
}

export function visibleTokens(tokens: TokenRecord[], view: TableView): TokenRecord[] {
  const shown = tokens.filter((t) => matchesSearch(t, view.query) && matchesStatus(t, view.status));
  return view.sortKey === null ? shown : sortTokens(shown, view.sortKey, view.sortDir);
}

/** Clicking a column header: a new column sorts ascending, the same column flips direction. */
export function nextSort(
  current: { key: SortKey | null; dir: SortDir },
  clicked: SortKey,
): { key: SortKey; dir: SortDir } {
  if (current.key === clicked) return { key: clicked, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key: clicked, dir: 'asc' };
}

export function atLimit(activeCount: number, activeLimit: number): boolean {
  return activeCount >= activeLimit;
}

/**
 * The list as it stands at `now` (ms): a token listed *active* whose expiry has come is
 * *Expired*, as the server would now answer. A list is judged when it is fetched; a cached
 * one shown offline, or one left open in the window, would otherwise keep calling such a
 * token Active, count it among the 10 and keep it on the Rotation badge. Returns `list`
 * itself when nothing expired, so a tick that changes nothing redraws nothing.
 */
export function expireAt(list: TokenListView, now: number): TokenListView {
  const ended = new Set<string>();
  for (const t of list.tokens) {
    if (t.status === 'active' && t.expires_at !== null && Date.parse(t.expires_at) <= now) ended.add(t.id);
  }
  if (ended.size === 0) return list;
  const keep = (ids: string[]) => ids.filter((id) => !ended.has(id));
  const expiring = keep(list.attention.expiring);
  const due = keep(list.attention.due_for_rotation);
  return {
    ...list,
    tokens: list.tokens.map((t) => (ended.has(t.id) ? { ...t, status: 'expired' } : t)),
    // The count is the server's (it covers the whole list even when only its first rows are
    // here); the tokens seen to expire leave it.
    active_count: Math.max(0, list.active_count - ended.size),
    attention: { expiring, due_for_rotation: due, count: new Set([...expiring, ...due]).size },
  };
}

/** A column of a token table: the sortable fields, then the row's actions. */
export type TokenColumnKey = SortKey | 'actions';

/** The columns of every token table (API Keys, the Audit views), in order. */
export const TOKEN_COLUMNS: Column<TokenColumnKey>[] = [
  { key: 'name', label: 'Name', sortable: true, class: 'name' },
  { key: 'prefix', label: 'Prefix', sortable: true },
  { key: 'scopes', label: 'Scopes', sortable: true, class: 'scopes' },
  { key: 'last_used_at', label: 'Last used', sortable: true },
  { key: 'expires_at', label: 'Expires', sortable: true, class: 'expires-cell' },
  { key: 'status', label: 'Status', sortable: true, class: 'status-cell' },
  { key: 'actions', label: 'Actions', hideLabel: true, class: 'actions-cell' },
];

/** Sorts a token table by a header; the actions column keeps the given order. */
export function sortTokenRows(tokens: TokenRecord[], by: SortState<TokenColumnKey>): TokenRecord[] {
  return by.key === 'actions' ? tokens : sortTokens(tokens, by.key, by.dir);
}
