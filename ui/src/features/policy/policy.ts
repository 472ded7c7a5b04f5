// The Token policy screen's rules, pure so they are tested: the form's draft, what it saves
// (the server's bounds, 1–3650 days), whether anything changed, and the policy in words.
import { chosenNumber } from '../../lib/numberField';
import type { TokenPolicy } from '../../lib/types';

export const MAX_POLICY_DAYS = 3650;

/** The form as the admin edits it: the days as typed, so an emptied field is not 0. */
export interface PolicyDraft {
  limit: boolean;
  days: string;
  require: boolean;
}

export function draftOf(p: TokenPolicy): PolicyDraft {
  return {
    limit: p.max_lifetime_days !== null,
    days: p.max_lifetime_days === null ? '90' : String(p.max_lifetime_days),
    require: p.require_expiration,
  };
}

/** The policy the draft asks for, or why it can't be saved. */
export function policyOf(d: PolicyDraft): { policy: TokenPolicy } | { error: string } {
  if (!d.limit) return { policy: { max_lifetime_days: null, require_expiration: d.require } };
  const days = chosenNumber(d.days);
  if (days === null || days < 1 || days > MAX_POLICY_DAYS || String(days) !== d.days.trim())
    return { error: `Enter a whole number of days from 1 to ${MAX_POLICY_DAYS}.` };
  // A maximum implies an expiry; saying so keeps the stored policy honest about it.
  return { policy: { max_lifetime_days: days, require_expiration: true } };
}

export function samePolicy(a: TokenPolicy, b: TokenPolicy): boolean {
  return a.max_lifetime_days === b.max_lifetime_days && a.require_expiration === b.require_expiration;
}

/** The policy in one sentence. */
export function policyWords(p: TokenPolicy): string {
  if (p.max_lifetime_days !== null) return `Tokens must expire within ${p.max_lifetime_days} days of their creation.`;
  if (p.require_expiration) return 'Every token needs an expiration date; there is no maximum.';
  return 'No limits: tokens may live as long as their owner chooses, or never expire.';
}
