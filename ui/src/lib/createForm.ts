// The Create API Key modal's rules: the spec's name examples, expiration presets, validation.

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

export function validate(form: CreateForm, now: Date = new Date()): FormErrors {
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
