import { describe, expect, it } from 'vitest';
import { draftOf, MAX_POLICY_DAYS, policyOf, policyWords, samePolicy } from './policy';

const open = { max_lifetime_days: null, require_expiration: false };

describe('the token policy form', () => {
  it('round-trips a policy through the draft', () => {
    for (const p of [open, { max_lifetime_days: 30, require_expiration: true }, { max_lifetime_days: null, require_expiration: true }]) {
      expect(policyOf(draftOf(p))).toEqual({ policy: p });
    }
  });
  it('offers 90 days when a limit is first turned on', () => {
    expect(draftOf(open)).toEqual({ limit: false, days: '90', require: false });
  });
  it('saves a maximum as requiring an expiry, since it implies one', () => {
    expect(policyOf({ limit: true, days: '45', require: false })).toEqual({
      policy: { max_lifetime_days: 45, require_expiration: true },
    });
  });
  it('refuses days outside 1–3650, emptied or not whole', () => {
    for (const days of ['0', '-5', '', 'abc', String(MAX_POLICY_DAYS + 1), '2.5', '1e2']) {
      expect(policyOf({ limit: true, days, require: false }), days).toHaveProperty('error');
    }
    expect(policyOf({ limit: true, days: String(MAX_POLICY_DAYS), require: false })).toHaveProperty('policy');
    expect(policyOf({ limit: true, days: ' 1 ', require: false })).toHaveProperty('policy');
  });
  it('tells a change from none and says the policy in words', () => {
    expect(samePolicy(open, { ...open })).toBe(true);
    expect(samePolicy(open, { ...open, require_expiration: true })).toBe(false);
    expect(policyWords({ max_lifetime_days: 30, require_expiration: true })).toMatch(/within 30 days/);
    expect(policyWords(open)).toMatch(/No limits/);
  });
});
