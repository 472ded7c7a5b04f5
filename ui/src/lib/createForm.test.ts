import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPIRATION, expiresAt, isValid, minCustomDate, validate } from './createForm';

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
