import { describe, expect, it } from 'vitest';
import { matchesInventory, ownerChoices, reasonError, revocable, type InventoryFilter } from './inventory';
import type { InventoryToken } from '../../lib/types';

const tok = (over: Partial<InventoryToken>): InventoryToken => ({
  id: over.id ?? 't',
  name: 'Zapier production',
  prefix: 'kbai_pk_a1b2',
  scopes: ['messages.read'],
  created_at: '2026-10-01T00:00:00Z',
  expires_at: null,
  last_used_at: null,
  revoked_at: null,
  status: 'active',
  rotated_from: null,
  replaced_by: null,
  owner: { id: 'u1', email: 'dev@acme.test', name: 'Dana Developer' },
  owner_disabled: false,
  ...over,
});
const all: InventoryFilter = { query: '', status: 'all', owner: '' };

describe('the inventory filters', () => {
  it('searches the name, the prefix and the owner', () => {
    const t = tok({});
    for (const q of ['zapier', 'A1B2', 'dana', 'dev@acme']) expect(matchesInventory(t, { ...all, query: q }), q).toBe(true);
    expect(matchesInventory(t, { ...all, query: 'milo' })).toBe(false);
  });

  it('filters by owner and status', () => {
    const t = tok({ status: 'revoked' });
    expect(matchesInventory(t, { ...all, owner: 'u1' })).toBe(true);
    expect(matchesInventory(t, { ...all, owner: 'u2' })).toBe(false);
    expect(matchesInventory(t, { ...all, status: 'active' })).toBe(false);
    expect(matchesInventory(t, { ...all, status: 'revoked' })).toBe(true);
  });

  it('offers each owner once, by name', () => {
    const milo = { id: 'u2', email: 'member@acme.test', name: 'Milo Member' };
    const owners = ownerChoices([tok({ id: '1' }), tok({ id: '2', owner: milo }), tok({ id: '3' })]);
    expect(owners).toEqual([
      { id: 'u1', label: 'Dana Developer (dev@acme.test)' },
      { id: 'u2', label: 'Milo Member (member@acme.test)' },
    ]);
  });

  it('takes only the working tokens of a view for a bulk revoke', () => {
    const view = [tok({ id: '1' }), tok({ id: '2', status: 'revoked' }), tok({ id: '3', status: 'expired' })];
    expect(revocable(view).map((t) => t.id)).toEqual(['1']);
  });
});

describe('the reason', () => {
  it('is required, one line, at most 500 characters', () => {
    expect(reasonError('  ')).toMatch(/Say why/);
    expect(reasonError('left the company')).toBeNull();
    expect(reasonError('x'.repeat(500))).toBeNull();
    expect(reasonError('x'.repeat(501))).toMatch(/at most 500/);
    expect(reasonError('two\nlines')).toMatch(/one line/);
  });
});
