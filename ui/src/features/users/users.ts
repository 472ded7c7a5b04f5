// The Users screen's rules, pure so they are tested: the Create user form's checks (the
// server's own rules, said before anything is sent), which roles a new user starts with, how a
// user's roles read, and the table's search.
import type { Role, User } from '../../lib/types';

/** The server's minimum (domain/newtypes.rs, MIN_PASSWORD_CHARS). */
export const MIN_PASSWORD_CHARS = 12;
export const NAME_MAX = 100;

export interface NewUserForm {
  name: string;
  email: string;
  password: string;
  confirm: string;
  roleIds: string[];
}

export interface NewUserErrors {
  name?: string;
  email?: string;
  password?: string;
  confirm?: string;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// One @, something on each side, a dot in the domain, no spaces: what a person can be told.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateNewUser(form: NewUserForm): NewUserErrors {
  const errors: NewUserErrors = {};
  const name = form.name.trim();
  if (name.length === 0) errors.name = 'Give the person a name.';
  else if ([...name].length > NAME_MAX) errors.name = `Use at most ${NAME_MAX} characters.`;
  else if (CONTROL.test(name)) errors.name = 'The name cannot contain control characters.';

  if (!EMAIL.test(form.email.trim())) errors.email = 'Enter an e-mail address, like dana@example.com.';

  if ([...form.password].length < MIN_PASSWORD_CHARS) {
    errors.password = `Use at least ${MIN_PASSWORD_CHARS} characters.`;
  }
  if (form.confirm !== form.password) errors.confirm = 'The passwords do not match.';
  return errors;
}

/** A new user starts as a Member: the least a person in the tenant holds. */
export function defaultRoleIds(roles: readonly Role[]): string[] {
  const member = roles.find((r) => r.builtin && r.name === 'Member');
  return member ? [member.id] : [];
}

/** The user's roles by name, in the tenant's order; an id without a known role as itself. */
export function roleNames(user: User, roles: readonly Role[] | null): string[] {
  if (!roles) return [...user.role_ids];
  const known = roles.filter((r) => user.role_ids.includes(r.id)).map((r) => r.name);
  const unknown = user.role_ids.filter((id) => !roles.some((r) => r.id === id));
  return [...known, ...unknown];
}

export function matchesUser(user: User, query: string): boolean {
  const q = query.trim().toLowerCase();
  return q === '' || user.name.toLowerCase().includes(q) || user.email.toLowerCase().includes(q);
}

export function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
