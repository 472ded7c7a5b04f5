import { describe, expect, it } from 'vitest';
import {
  attentionSummary,
  RETIRE_CHOICES,
  choiceAllowed,
  daysUntilDue,
  defaultRetire,
  dueDate,
  dueLabel,
  rotationLinks,
  rotatedLifetimeDays,
  rotationSchedule,
  sortSchedule,
  stopsLabel,
} from './rotation';
import type { TokenRecord } from './types';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-12-02T12:00:00Z');
const ago = (days: number, extraMs = 0) => new Date(NOW.getTime() - days * DAY - extraMs).toISOString();

function tok(over: Partial<TokenRecord>): TokenRecord {
  return {
    id: over.id ?? over.name ?? 'id',
    name: 'x',
    prefix: 'kbai_pk_0000',
    scopes: ['messages.read'],
    created_at: ago(10),
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
    status: 'active',
    rotated_from: null,
    replaced_by: null,
    ...over,
  };
}

describe('the due date', () => {
  it('is 90 days after creation', () => {
    expect(dueDate('2026-01-01T00:00:00Z').toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('counts whole days at the boundaries: 89, exactly 90, 91 days old', () => {
    expect(daysUntilDue(ago(89), NOW)).toBe(1);
    expect(daysUntilDue(ago(90, -1), NOW)).toBe(1); // a millisecond short of 90 days
    expect(daysUntilDue(ago(90), NOW)).toBe(0);
    expect(daysUntilDue(ago(91, -1), NOW)).toBe(0);
    expect(daysUntilDue(ago(91), NOW)).toBe(-1);
    expect(daysUntilDue(ago(200), NOW)).toBe(-110);
  });

  it('is labelled in days remaining or overdue', () => {
    expect(dueLabel(1)).toBe('Due in 1 day');
    expect(dueLabel(30)).toBe('Due in 30 days');
    expect(dueLabel(0)).toBe('Due today');
    expect(dueLabel(-1)).toBe('1 day overdue');
    expect(dueLabel(-110)).toBe('110 days overdue');
  });
});

describe('the Rotation schedule', () => {
  const tokens = [
    tok({ name: 'young', created_at: ago(5) }),
    tok({ name: 'ninety', created_at: ago(90) }),
    tok({ name: 'ancient', created_at: ago(300) }),
    tok({ name: 'revoked', created_at: ago(400), status: 'revoked' }),
    tok({ name: 'expired', created_at: ago(400), status: 'expired' }),
    tok({ name: 'eighty-nine', created_at: ago(89) }),
    tok({ name: 'ninety-one', created_at: ago(91) }),
  ];
  const rows = rotationSchedule(tokens, NOW);

  it('lists only active tokens, the most overdue first', () => {
    expect(rows.map((r) => r.token.name)).toEqual(['ancient', 'ninety-one', 'ninety', 'eighty-nine', 'young']);
  });

  it('says how many days overdue or remaining', () => {
    expect(rows.map((r) => r.label)).toEqual([
      '210 days overdue',
      '1 day overdue',
      'Due today',
      'Due in 1 day',
      'Due in 85 days',
    ]);
    expect(rows.map((r) => r.overdue)).toEqual([true, true, false, false, false]);
  });

  it('breaks ties by name', () => {
    const same = ago(40);
    const tied = rotationSchedule([tok({ name: 'b', created_at: same }), tok({ name: 'A', created_at: same })], NOW);
    expect(tied.map((r) => r.token.name)).toEqual(['A', 'b']);
  });
});

describe('sorting the schedule by a header', () => {
  const rows = rotationSchedule(
    [
      tok({ id: '1', name: 'beta', prefix: 'kbai_pk_bbbb', created_at: ago(100) }),
      tok({ id: '2', name: 'Alpha', prefix: 'kbai_pk_cccc', created_at: ago(5) }),
      tok({ id: '3', name: 'gamma', prefix: 'kbai_pk_aaaa', created_at: ago(100) }),
    ],
    NOW,
  );

  it('orders by name without regard to case, both ways', () => {
    expect(sortSchedule(rows, 'name', 'asc').map((r) => r.token.name)).toEqual(['Alpha', 'beta', 'gamma']);
    expect(sortSchedule(rows, 'name', 'desc').map((r) => r.token.name)).toEqual(['gamma', 'beta', 'Alpha']);
  });

  it('orders by prefix', () => {
    expect(sortSchedule(rows, 'prefix', 'asc').map((r) => r.token.id)).toEqual(['3', '1', '2']);
  });

  it('orders by due date, equal dates keeping the schedule order', () => {
    expect(sortSchedule(rows, 'due', 'asc').map((r) => r.token.id)).toEqual(['1', '3', '2']);
    expect(sortSchedule(rows, 'due', 'desc').map((r) => r.token.id)).toEqual(['2', '1', '3']);
    expect(sortSchedule(rows, 'created', 'asc')).toEqual(sortSchedule(rows, 'due', 'asc'));
  });

  it('leaves the schedule itself alone', () => {
    const before = rows.map((r) => r.token.id);
    sortSchedule(rows, 'name', 'desc');
    expect(rows.map((r) => r.token.id)).toEqual(before);
  });
});

describe('the Rotate dialog choices', () => {
  it('offers the four choices, first use preselected unless at the limit', () => {
    expect(RETIRE_CHOICES.map((c) => c.value).sort()).toEqual(['after_1_hour', 'after_24_hours', 'now', 'on_first_use']);
    expect(defaultRetire(false)).toBe('on_first_use');
    expect(defaultRetire(true)).toBe('now');
  });

  it('at the limit allows only "now"', () => {
    expect(RETIRE_CHOICES.filter((c) => choiceAllowed(c, true)).map((c) => c.value)).toEqual(['now']);
    expect(RETIRE_CHOICES.every((c) => choiceAllowed(c, false))).toBe(true);
  });
});

describe('what an old row says', () => {
  const rotatedAt = NOW.toISOString();
  const fresh = tok({ id: 'new', prefix: 'kbai_pk_new1', created_at: rotatedAt, rotated_from: 'old' });

  it('waits for the first use while the replacement is unused and the deadline is 7 days out', () => {
    const old = tok({ id: 'old', replaced_by: 'new', expires_at: new Date(NOW.getTime() + 7 * DAY).toISOString() });
    expect(stopsLabel(old, fresh)).toBe('When the new token is first used (at the latest Dec 9, 2026)');
  });

  it('gives the time once the grace is fixed', () => {
    const old = tok({ id: 'old', replaced_by: 'new', expires_at: '2026-12-03T12:00:00Z' });
    expect(stopsLabel(old, fresh)).toBe('Stops 2026-12-03 12:00:00 UTC');
    const used = { ...fresh, last_used_at: rotatedAt };
    const waited = tok({ id: 'old', replaced_by: 'new', expires_at: '2026-12-02T12:05:00Z' });
    expect(stopsLabel(waited, used)).toBe('Stops 2026-12-02 12:05:00 UTC');
  });

  it('says nothing for rows that were not rotated or no longer work', () => {
    expect(stopsLabel(tok({ expires_at: '2027-01-01T00:00:00Z' }), undefined)).toBeNull();
    expect(stopsLabel(tok({ replaced_by: 'new', status: 'revoked', revoked_at: rotatedAt }), fresh)).toBeNull();
  });

  it('links both ends of a rotation by prefix', () => {
    const old = tok({ id: 'old', prefix: 'kbai_pk_old1', replaced_by: 'new' });
    const byId = new Map([old, fresh].map((t) => [t.id, t]));
    expect(rotationLinks(old, byId)).toEqual(['Replaced by kbai_pk_new1']);
    expect(rotationLinks(fresh, byId)).toEqual(['Rotated from kbai_pk_old1']);
    expect(rotationLinks(tok({}), byId)).toEqual([]);
  });
});

describe('the rotated token\'s lifetime', () => {
  const policy = (max: number | null) => ({ max_lifetime_days: max, require_expiration: max !== null });
  it('keeps the old lifetime, or 90 days for a token that never expired', () => {
    expect(rotatedLifetimeDays(tok({ created_at: ago(10), expires_at: ago(-20) }), null)).toBe(30);
    expect(rotatedLifetimeDays(tok({ expires_at: null }), null)).toBe(90);
    expect(rotatedLifetimeDays(tok({ expires_at: null }), policy(null))).toBe(90);
  });
  it('is cut to the policy\'s maximum', () => {
    expect(rotatedLifetimeDays(tok({ expires_at: null }), policy(30))).toBe(30);
    expect(rotatedLifetimeDays(tok({ created_at: ago(10), expires_at: ago(-355) }), policy(90))).toBe(90);
    expect(rotatedLifetimeDays(tok({ created_at: ago(10), expires_at: ago(-4) }), policy(90))).toBe(14);
  });
});

describe('the attention summary above the schedule', () => {
  const attention = (expiring: string[], due: string[], count: number) => ({
    expiring,
    due_for_rotation: due,
    count,
  });

  it('says nothing when nothing needs attention', () => {
    expect(attentionSummary(attention([], [], 0))).toBeNull();
  });

  it('gives both counts, counting a token in both lists once', () => {
    expect(attentionSummary(attention(['a', 'b'], ['b', 'c'], 3))).toBe(
      '3 API keys need attention: 2 expire within 7 days, 2 are due for rotation.',
    );
    expect(attentionSummary(attention(['a'], [], 1))).toBe(
      '1 API key needs attention: 1 expires within 7 days.',
    );
    expect(attentionSummary(attention([], ['c'], 1))).toBe(
      '1 API key needs attention: 1 is due for rotation.',
    );
  });
});
