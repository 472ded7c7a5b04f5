import { describe, expect, it } from 'vitest';
import { atLimit, expireAt, matchesSearch, nextSort, sortTokens, visibleTokens } from './tokens';
import type { TokenListView, TokenRecord } from './types';

function tok(over: Partial<TokenRecord>): TokenRecord {
  return {
    id: over.id ?? over.name ?? 'id',
    name: 'x',
    prefix: 'kbai_pk_0000',
    scopes: ['messages.read'],
    created_at: '2026-11-01T00:00:00Z',
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
    status: 'active',
    rotated_from: null,
    replaced_by: null,
    ...over,
  };
}

const tokens = [
  tok({ name: 'Zapier production', prefix: 'kbai_pk_a1b2', last_used_at: '2026-11-27T10:00:00Z', expires_at: '2027-01-01T00:00:00Z' }),
  tok({ name: 'n8n nightly sync', prefix: 'kbai_pk_ff00', status: 'revoked', scopes: ['contacts.read'] }),
  tok({ name: 'Local dev', prefix: 'kbai_pk_c3d4', last_used_at: '2026-11-28T01:00:00Z', status: 'expired', expires_at: '2026-11-01T00:00:00Z' }),
];

describe('search', () => {
  it('matches name or prefix, case-insensitively', () => {
    expect(matchesSearch(tokens[0], 'zapier')).toBe(true);
    expect(matchesSearch(tokens[0], 'KBAI_PK_A1')).toBe(true);
    expect(matchesSearch(tokens[0], 'nightly')).toBe(false);
    expect(matchesSearch(tokens[0], '   ')).toBe(true);
  });
  it('does not search scopes', () => {
    expect(matchesSearch(tokens[1], 'contacts')).toBe(false);
  });
});

describe('filter and sort', () => {
  it('filters by status', () => {
    const v = visibleTokens(tokens, { query: '', status: 'revoked', sortKey: null, sortDir: 'asc' });
    expect(v.map((t) => t.name)).toEqual(['n8n nightly sync']);
  });
  it('keeps server order without a sort key', () => {
    const v = visibleTokens(tokens, { query: '', status: 'all', sortKey: null, sortDir: 'asc' });
    expect(v).toEqual(tokens);
  });
  it('sorts by name both ways', () => {
    expect(sortTokens(tokens, 'name', 'asc').map((t) => t.name)).toEqual([
      'Local dev',
      'n8n nightly sync',
      'Zapier production',
    ]);
    expect(sortTokens(tokens, 'name', 'desc').map((t) => t.name)[0]).toBe('Zapier production');
  });
  it('sorts never-used last-used as oldest and no-expiry as furthest', () => {
    expect(sortTokens(tokens, 'last_used_at', 'desc').map((t) => t.name)).toEqual([
      'Local dev',
      'Zapier production',
      'n8n nightly sync',
    ]);
    expect(sortTokens(tokens, 'expires_at', 'asc').map((t) => t.name)).toEqual([
      'Local dev',
      'Zapier production',
      'n8n nightly sync',
    ]);
  });
  it('sorts by status Active, Expired, Revoked', () => {
    expect(sortTokens(tokens, 'status', 'asc').map((t) => t.status)).toEqual([
      'active',
      'expired',
      'revoked',
    ]);
  });
  it('sorts by prefix and scopes', () => {
    expect(sortTokens(tokens, 'prefix', 'asc').map((t) => t.prefix)[0]).toBe('kbai_pk_a1b2');
    expect(sortTokens(tokens, 'scopes', 'asc')[0].scopes).toEqual(['contacts.read']);
  });
  it('is stable for ties', () => {
    const same = [tok({ id: '1', name: 'a' }), tok({ id: '2', name: 'a' }), tok({ id: '3', name: 'a' })];
    expect(sortTokens(same, 'name', 'desc').map((t) => t.id)).toEqual(['1', '2', '3']);
    expect(sortTokens(same, 'expires_at', 'asc').map((t) => t.id)).toEqual(['1', '2', '3']);
  });
  it('combines search, filter and sort', () => {
    const v = visibleTokens(tokens, { query: 'kbai_pk_', status: 'all', sortKey: 'name', sortDir: 'desc' });
    expect(v.map((t) => t.name)).toEqual(['Zapier production', 'n8n nightly sync', 'Local dev']);
  });
});

describe('header clicks and limit', () => {
  it('flips direction on the same column, resets on another', () => {
    expect(nextSort({ key: null, dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'asc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'desc' });
    expect(nextSort({ key: 'name', dir: 'desc' }, 'status')).toEqual({ key: 'status', dir: 'asc' });
  });
  it('is at the limit at 10 of 10', () => {
    expect(atLimit(9, 10)).toBe(false);
    expect(atLimit(10, 10)).toBe(true);
  });
});

describe('a list judged again as time passes', () => {
  const expiry = '2026-12-10T12:00:00Z';
  const at = Date.parse(expiry);
  function list(): TokenListView {
    return {
      tokens: [
        tok({ id: 'soon', expires_at: expiry }),
        tok({ id: 'later', expires_at: '2027-01-01T00:00:00Z' }),
        tok({ id: 'never' }),
        tok({ id: 'gone', status: 'revoked', expires_at: '2026-12-01T00:00:00Z' }),
      ],
      total: 4,
      active_count: 3,
      active_limit: 10,
      offline: true,
      fetched_at: '2026-12-04T00:00:00Z',
      attention: { expiring: ['soon'], due_for_rotation: ['soon', 'never'], count: 2 },
    };
  }

  it('keeps the very same list while nothing has expired (a second before the expiry)', () => {
    const l = list();
    expect(expireAt(l, at - 1000)).toBe(l);
  });

  it('calls a token Expired from its expiry on, and it leaves the count and the badge', () => {
    const l = list();
    const now = expireAt(l, at);
    expect(now).not.toBe(l);
    expect(now.tokens.map((t) => t.status)).toEqual(['expired', 'active', 'active', 'revoked']);
    expect(now.active_count).toBe(2);
    expect(now.attention).toEqual({ expiring: [], due_for_rotation: ['never'], count: 1 });
    expect(now.tokens[1]).toBe(l.tokens[1]);
    expect(l.tokens[0].status).toBe('active'); // the list received is left as it was
  });

  it('frees a slot under the limit when one of 10 expires', () => {
    const l = { ...list(), active_count: 10 };
    expect(atLimit(l.active_count, l.active_limit)).toBe(true);
    const now = expireAt(l, at + 1);
    expect(atLimit(now.active_count, now.active_limit)).toBe(false);
  });
});
