import { describe, expect, it } from 'vitest';
import { exactUtc, expiresLabel, formatDate, lastUsedLabel, relativeTime } from './time';

const now = new Date('2026-11-28T04:00:00Z');

describe('time labels', () => {
  it('says Never for null', () => {
    expect(lastUsedLabel(null, now)).toBe('Never');
    expect(expiresLabel(null)).toBe('Never');
  });
  it('formats relative times', () => {
    expect(relativeTime('2026-11-28T03:59:50Z', now)).toBe('just now');
    expect(relativeTime('2026-11-28T03:55:00Z', now)).toBe('5 minutes ago');
    expect(relativeTime('2026-11-28T01:00:00Z', now)).toBe('3 hours ago');
    expect(relativeTime('2026-11-25T04:00:00Z', now)).toBe('3 days ago');
    expect(relativeTime('2026-12-01T04:00:00Z', now)).toBe('in 3 days');
  });
  it('shows exact UTC and dates', () => {
    expect(exactUtc('2026-11-28T04:05:06Z')).toBe('2026-11-28 04:05:06 UTC');
    expect(formatDate('2027-02-26T04:00:00Z')).toBe('Feb 26, 2027');
  });
});
