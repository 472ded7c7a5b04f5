// The Create API Key modal's rules: the spec's name examples, expiration presets, validation,
// and what the tenant's token policy allows (the server's rule, so the dialog never offers what
// the server would refuse).
import type { TokenPolicy } from './types';

export const NAME_EXAMPLES = ['Zapier production', 'n8n nightly sync', 'Local dev'];
export const NAME_MAX = 100;

export type Expiration =
  | { kind: 'preset'; days: 30 | 60 | 90 }
  | { kind: 'custom'; date: string } // yyyy-mm-dd, local calendar date picked by the user
  | { kind: 'never' };

export const PRESETS: (30 | 60 | 90)[] = [30, 60, 90];
export const RECOMMENDED_DAYS = 90;
export const DEFAULT_EXPIRATION: Expiration = { kind: 'preset', days: 90 };

export interface CreateForm {
  name: string;
  scopes: string[];
  expiration: Expiration;
}

export interface FormErrors {
  name?: string;
  scopes?: string;
  expiration?: string;
}

// Control characters (C0, DEL, C1): the server refuses them in names.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The `expires_at` to send: an RFC 3339 UTC instant, or null for never. */
export function expiresAt(exp: Expiration, now: Date = new Date()): string | null {
  switch (exp.kind) {
    case 'never':
      return null;
    case 'preset':
      return wholeSeconds(new Date(now.getTime() + exp.days * 24 * 3600 * 1000));
    case 'custom': {
      // The end of the chosen day in UTC, so "expires on the 5th" includes the 5th.
      const d = new Date(`${exp.date}T23:59:59Z`);
      return Number.isNaN(d.getTime()) ? null : wholeSeconds(d);
    }
  }
}

function wholeSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DAY_MS = 24 * 3600 * 1000;
/** The server's allowance for the client's clock past the maximum (POLICY_CLOCK_SLACK_SECS). */
const POLICY_SLACK_MS = 300 * 1000;

/** Whether the policy lets a token go without an expiry (a maximum implies one). */
export function neverAllowed(policy: TokenPolicy | null): boolean {
  return !policy || (!policy.require_expiration && policy.max_lifetime_days === null);
}

/** Whether a preset of `days` is within the policy's maximum. */
export function presetAllowed(days: number, policy: TokenPolicy | null): boolean {
  return !policy || policy.max_lifetime_days === null || days <= policy.max_lifetime_days;
}

/** The choice the dialog starts with: 90 days when allowed, else the longest preset allowed,
 * else a custom date. */
export function defaultChoice(policy: TokenPolicy | null): string {
  if (presetAllowed(RECOMMENDED_DAYS, policy)) return `preset-${RECOMMENDED_DAYS}`;
  const fit = [...PRESETS].reverse().find((d) => presetAllowed(d, policy));
  return fit === undefined ? 'custom' : `preset-${fit}`;
}

/** yyyy-mm-dd of the last custom date the policy allows (a custom date expires at its end,
 * 23:59:59 UTC), or null without a maximum. */
export function maxCustomDate(policy: TokenPolicy | null, now: Date = new Date()): string | null {
  if (!policy || policy.max_lifetime_days === null) return null;
  const latest = now.getTime() + policy.max_lifetime_days * DAY_MS + POLICY_SLACK_MS;
  let day = new Date(latest).toISOString().slice(0, 10);
  if (new Date(`${day}T23:59:59Z`).getTime() > latest) {
    day = new Date(new Date(`${day}T00:00:00Z`).getTime() - DAY_MS).toISOString().slice(0, 10);
  }
  return day;
}

/** One sentence saying what the policy asks, or null when it asks nothing. */
export function policySummary(policy: TokenPolicy | null): string | null {
  if (!policy) return null;
  if (policy.max_lifetime_days !== null)
    return `Your organization's token policy: tokens expire within ${policy.max_lifetime_days} days.`;
  if (policy.require_expiration) return "Your organization's token policy: every token needs an expiration date.";
  return null;
}

export function validate(form: CreateForm, now: Date = new Date(), policy: TokenPolicy | null = null): FormErrors {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (name.length === 0) errors.name = 'Give the token a name.';
  else if ([...name].length > NAME_MAX) errors.name = `Use at most ${NAME_MAX} characters.`;
  else if (CONTROL.test(name)) errors.name = 'The name cannot contain control characters.';

  if (form.scopes.length === 0) errors.scopes = 'Pick at least one scope.';

  if (form.expiration.kind === 'custom') {
    const at = expiresAt(form.expiration, now);
    if (form.expiration.date === '' || at === null) errors.expiration = 'Pick an expiration date.';
    else if (new Date(at).getTime() <= now.getTime())
      errors.expiration = 'The expiration date must be in the future.';
    else {
      const last = maxCustomDate(policy, now);
      if (last !== null && form.expiration.date > last)
        errors.expiration = `The token policy allows at most ${policy?.max_lifetime_days} days: pick a date no later than ${last}.`;
    }
  } else if (form.expiration.kind === 'never' && !neverAllowed(policy)) {
    errors.expiration = 'The token policy requires an expiration date.';
  } else if (form.expiration.kind === 'preset' && !presetAllowed(form.expiration.days, policy)) {
    errors.expiration = `The token policy allows at most ${policy?.max_lifetime_days} days.`;
  }
  return errors;
}

export function isValid(errors: FormErrors): boolean {
  return Object.keys(errors).length === 0;
}

/** yyyy-mm-dd of tomorrow (UTC): the earliest date the custom picker offers. */
export function minCustomDate(now: Date = new Date()): string {
  return new Date(now.getTime() + 24 * 3600 * 1000).toISOString().slice(0, 10);
}
