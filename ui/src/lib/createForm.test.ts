import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPIRATION,
  defaultChoice,
  expiresAt,
  isValid,
  maxCustomDate,
  minCustomDate,
  neverAllowed,
  policySummary,
  presetAllowed,
  validate,
} from './createForm';
import type { TokenPolicy } from './types';

const now = new Date('2026-11-28T04:00:00.123Z');

describe('expiration', () => {
  it('defaults to the recommended 90 days', () => {
    expect(DEFAULT_EXPIRATION).toEqual({ kind: 'preset', days: 90 });
    expect(expiresAt(DEFAULT_EXPIRATION, now)).toBe('2027-02-26T04:00:00Z');
  });
  it('maps presets, custom dates and never', () => {
    expect(expiresAt({ kind: 'preset', days: 30 }, now)).toBe('2026-12-28T04:00:00Z');
    expect(expiresAt({ kind: 'custom', date: '2027-03-05' }, now)).toBe('2027-03-05T23:59:59Z');
    expect(expiresAt({ kind: 'never' }, now)).toBeNull();
    expect(expiresAt({ kind: 'custom', date: 'garbage' }, now)).toBeNull();
  });
  it('offers tomorrow as the earliest custom date', () => {
    expect(minCustomDate(now)).toBe('2026-11-29');
  });
});

describe('validation', () => {
  const ok = { name: 'Zapier production', scopes: ['messages.read'], expiration: DEFAULT_EXPIRATION };
  it('accepts a complete form', () => {
    expect(isValid(validate(ok, now))).toBe(true);
  });
  it('requires a name within 100 characters and without control characters', () => {
    expect(validate({ ...ok, name: '   ' }, now).name).toBeDefined();
    expect(validate({ ...ok, name: 'x'.repeat(101) }, now).name).toBeDefined();
    expect(validate({ ...ok, name: 'x'.repeat(100) }, now).name).toBeUndefined();
    expect(validate({ ...ok, name: 'tab\there' }, now).name).toBeDefined();
  });
  it('requires at least one scope', () => {
    expect(validate({ ...ok, scopes: [] }, now).scopes).toBeDefined();
  });
  it('requires a future custom date', () => {
    expect(validate({ ...ok, expiration: { kind: 'custom', date: '' } }, now).expiration).toBeDefined();
    expect(validate({ ...ok, expiration: { kind: 'custom', date: '2026-11-27' } }, now).expiration).toBeDefined();
    expect(validate({ ...ok, expiration: { kind: 'custom', date: '2026-11-28' } }, now).expiration).toBeUndefined();
    expect(isValid(validate({ ...ok, expiration: { kind: 'never' } }, now))).toBe(true);
  });
});

describe('the token policy', () => {
  const ok = { name: 'Zapier production', scopes: ['messages.read'], expiration: DEFAULT_EXPIRATION };
  const open: TokenPolicy = { max_lifetime_days: null, require_expiration: false };
  const required: TokenPolicy = { max_lifetime_days: null, require_expiration: true };
  const month: TokenPolicy = { max_lifetime_days: 30, require_expiration: false };
  const week: TokenPolicy = { max_lifetime_days: 7, require_expiration: false };

  it('hides No expiration when an expiry is required or a maximum is set', () => {
    expect(neverAllowed(null)).toBe(true);
    expect(neverAllowed(open)).toBe(true);
    expect(neverAllowed(required)).toBe(false);
    expect(neverAllowed(month)).toBe(false);
    expect(validate({ ...ok, expiration: { kind: 'never' } }, now, required).expiration).toMatch(/requires an expiration/);
    expect(validate({ ...ok, expiration: { kind: 'never' } }, now, open).expiration).toBeUndefined();
  });
  it('disables presets beyond the maximum and starts on the longest one allowed', () => {
    expect([30, 60, 90].map((d) => presetAllowed(d, month))).toEqual([true, false, false]);
    expect([30, 60, 90].map((d) => presetAllowed(d, required))).toEqual([true, true, true]);
    expect(defaultChoice(null)).toBe('preset-90');
    expect(defaultChoice(month)).toBe('preset-30');
    expect(defaultChoice(week)).toBe('custom');
    expect(validate({ ...ok, expiration: { kind: 'preset', days: 60 } }, now, month).expiration).toMatch(/at most 30 days/);
    expect(validate({ ...ok, expiration: { kind: 'preset', days: 30 } }, now, month).expiration).toBeUndefined();
  });
  it('lets a custom date reach exactly the last day the server accepts', () => {
    // now + 30 days = 2026-12-28T04:00Z; a date expires at its end, so the 27th is the last.
    expect(maxCustomDate(month, now)).toBe('2026-12-27');
    expect(maxCustomDate(open, now)).toBeNull();
    expect(validate({ ...ok, expiration: { kind: 'custom', date: '2026-12-27' } }, now, month).expiration).toBeUndefined();
    expect(validate({ ...ok, expiration: { kind: 'custom', date: '2026-12-28' } }, now, month).expiration).toMatch(
      /no later than 2026-12-27/,
    );
    const lateInDay = new Date('2026-11-28T23:58:00Z');
    expect(maxCustomDate(month, lateInDay)).toBe('2026-12-28');
  });
  it('says what the policy asks', () => {
    expect(policySummary(open)).toBeNull();
    expect(policySummary(month)).toMatch(/within 30 days/);
    expect(policySummary(required)).toMatch(/needs an expiration date/);
  });
});
