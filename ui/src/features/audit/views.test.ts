import { describe, expect, it } from 'vitest';
import type { AuditReport, TokenRecord } from '../../lib/types';
import { findView, VIEW_WORDS, viewRows } from './views';

function token(id: string): TokenRecord {
  return {
    id,
    name: `token ${id}`,
    prefix: `kbai_pk_${id}`,
    scopes: ['messages.read'],
    created_at: '2026-01-01T00:00:00Z',
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
    status: 'active',
    rotated_from: null,
    replaced_by: null,
  };
}

const report: AuditReport = {
  views: [
    { kind: 'stale', count: 0, token_ids: [] },
    { kind: 'due_for_rotation', count: 2, token_ids: ['b', 'a'] },
  ],
  tokens: [token('a'), token('b'), token('c')],
  stale_days: 30,
  work_hours: { days: [true, true, true, true, true, false, false], start_hour: 8, end_hour: 18 },
  changes: null,
  offline: true,
  fetched_at: '2026-12-03T00:00:00Z',
  computed_at: '2026-12-03T01:00:00Z',
};

describe('audit views', () => {
  it('uses the contract words, in the order Rust lists the views', () => {
    expect(Object.values(VIEW_WORDS).map((w) => w.label)).toEqual([
      'Stale',
      'Never used',
      'No expiration',
      'Expiring soon',
      'Due for rotation',
      'Broad scopes',
      'Off-hours activity',
      'New address',
    ]);
    expect(VIEW_WORDS.stale.explain(30)).toBe('Used, but not in the last 30 days.');
    expect(VIEW_WORDS.stale.explain(1)).toBe('Used, but not in the last 1 day.');
  });

  it("gives a view's rows in the view's order, skipping unknown ids", () => {
    const due = findView(report, 'due_for_rotation');
    expect(due?.count).toBe(2);
    expect(viewRows(report, due!).map((t) => t.id)).toEqual(['b', 'a']);
    expect(viewRows(report, { kind: 'stale', count: 1, token_ids: ['gone'] })).toEqual([]);
  });

  it('finds nothing without a report or a selection', () => {
    expect(findView(null, 'stale')).toBeNull();
    expect(findView(report, null)).toBeNull();
    expect(findView(report, 'broad_scopes')).toBeNull();
  });
});
