import { describe, expect, it } from 'vitest';
import { actionChoices, actionLabel, actorLabel, detailLabel, matchesEvent, targetLabel } from './activity';
import type { AuditEvent, TokenRecord } from '../../lib/types';

const token: TokenRecord = {
  id: 't1',
  name: 'Zapier production',
  prefix: 'kbai_pk_a1b2',
  scopes: [],
  created_at: '2026-12-01T00:00:00Z',
  expires_at: null,
  last_used_at: null,
  revoked_at: null,
  status: 'active',
  rotated_from: null,
  replaced_by: null,
};
const tokens = new Map([[token.id, token]]);
const ev = (over: Partial<AuditEvent>): AuditEvent => ({
  id: 'e',
  at: '2026-12-02T10:00:00Z',
  actor: 'u-me',
  action: 'token.created',
  target: 't1',
  ip: '127.0.0.1',
  detail: null,
  ...over,
});

describe('words', () => {
  it('names the actions, and keeps an unknown one as the server wrote it', () => {
    expect(actionLabel('token.revoked')).toBe('Token revoked');
    expect(actionLabel('session.failed')).toBe('Sign-in failed');
    expect(actionLabel('something.new')).toBe('something.new');
  });

  it('says You for the signed-in user, and names an unknown account', () => {
    expect(actorLabel(ev({}), 'u-me')).toBe('You');
    expect(actorLabel(ev({ actor: 'u-other' }), 'u-me')).toBe('u-other');
    expect(actorLabel(ev({ actor: null }), 'u-me')).toBe('Unknown account');
  });

  it('names a known token by name and prefix, else its id', () => {
    expect(targetLabel(ev({}), tokens)).toBe('Zapier production (kbai_pk_a1b2…)');
    expect(targetLabel(ev({ target: 'r9' }), tokens)).toBe('r9');
    expect(targetLabel(ev({ target: null }), tokens)).toBe('');
  });

  it("says a revoke's reason and a rotation's particulars", () => {
    expect(detailLabel(ev({ detail: { reason: 'left the company' } }), tokens)).toBe('Reason: left the company');
    expect(
      detailLabel(ev({ action: 'token.rotated', detail: { replacement: 't1', self_rotation: true, retire: 'on_first_use' } }), tokens),
    ).toBe('Replaced by kbai_pk_a1b2…; by the token itself; old token stops on first use of the new one');
    expect(detailLabel(ev({ detail: { grace_seconds: 86400, retire: 'after_grace' } }), tokens)).toBe('old token stops after 24 h');
    expect(detailLabel(ev({}), tokens)).toBe('');
  });
});

describe('filters', () => {
  const events = [ev({ id: '1' }), ev({ id: '2', action: 'token.revoked', detail: { reason: 'leaked' } }), ev({ id: '3', action: 'session.created', target: null, ip: '10.0.0.7' })];

  it('offers each action present once, by its words', () => {
    expect(actionChoices(events).map((c) => c.label)).toEqual(['Signed in', 'Token created', 'Token revoked']);
  });

  it('filters by action', () => {
    expect(events.filter((e) => matchesEvent(e, 'token.revoked', '', 'u-me', tokens)).map((e) => e.id)).toEqual(['2']);
    expect(events.filter((e) => matchesEvent(e, '', '', 'u-me', tokens))).toHaveLength(3);
  });

  it('searches what the row shows and the raw ids', () => {
    const hits = (q: string) => events.filter((e) => matchesEvent(e, '', q, 'u-me', tokens)).map((e) => e.id);
    expect(hits('zapier')).toEqual(['1', '2']);
    expect(hits('LEAKED')).toEqual(['2']);
    expect(hits('10.0.0.7')).toEqual(['3']);
    expect(hits('u-me')).toEqual(['1', '2', '3']);
    expect(hits('you')).toEqual(['1', '2', '3']);
    expect(hits('nothing like this')).toEqual([]);
  });
});
