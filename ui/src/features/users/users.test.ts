import { describe, expect, it } from 'vitest';
import { defaultRoleIds, matchesUser, roleNames, sameRoles, validateNewUser, type NewUserForm } from './users';
import type { Role, User } from '../../lib/types';

const good: NewUserForm = {
  name: 'Dana Scully',
  email: 'dana@acme.test',
  password: 'twelve-chars',
  confirm: 'twelve-chars',
  roleIds: [],
};
const roles: Role[] = [
  { id: 'a', name: 'Admin', permissions: [], builtin: true },
  { id: 'm', name: 'Member', permissions: [], builtin: true },
  { id: 'd', name: 'Developer', permissions: [], builtin: false },
];
const user: User = { id: 'u', email: 'Dana@Acme.test', name: 'Dana Scully', role_ids: ['d', 'm'], disabled: false };

describe('the Create user form', () => {
  it('accepts a complete form', () => {
    expect(validateNewUser(good)).toEqual({});
  });

  it('needs a name without control characters', () => {
    expect(validateNewUser({ ...good, name: '  ' }).name).toBe('Give the person a name.');
    expect(validateNewUser({ ...good, name: 'a\u0007b' }).name).toMatch(/control characters/);
    expect(validateNewUser({ ...good, name: 'x'.repeat(101) }).name).toMatch(/at most 100/);
    expect(validateNewUser({ ...good, name: 'x'.repeat(100) }).name).toBeUndefined();
  });

  it('needs an e-mail address', () => {
    for (const email of ['', 'dana', 'dana@acme', 'da na@acme.test', '@acme.test']) {
      expect(validateNewUser({ ...good, email }).email, email).toBeDefined();
    }
    expect(validateNewUser({ ...good, email: ' dana@acme.test ' }).email).toBeUndefined();
  });

  it('needs the server minimum of 12 characters, counted as characters', () => {
    expect(validateNewUser({ ...good, password: 'x'.repeat(11), confirm: 'x'.repeat(11) }).password).toMatch(/at least 12/);
    expect(validateNewUser({ ...good, password: 'x'.repeat(12), confirm: 'x'.repeat(12) }).password).toBeUndefined();
    const emoji = '🔑'.repeat(12);
    expect(validateNewUser({ ...good, password: emoji, confirm: emoji }).password).toBeUndefined();
  });

  it('needs the password twice, the same', () => {
    expect(validateNewUser({ ...good, confirm: 'twelve-charz' }).confirm).toBe('The passwords do not match.');
  });
});

describe('roles', () => {
  it('starts a new user as a Member', () => {
    expect(defaultRoleIds(roles)).toEqual(['m']);
    expect(defaultRoleIds(roles.filter((r) => r.name !== 'Member'))).toEqual([]);
  });

  it("reads a user's roles by name in the tenant's order", () => {
    expect(roleNames(user, roles)).toEqual(['Member', 'Developer']);
    expect(roleNames({ ...user, role_ids: ['m', 'gone'] }, roles)).toEqual(['Member', 'gone']);
    expect(roleNames(user, null)).toEqual(['d', 'm']);
  });

  it('compares role lists whatever their order', () => {
    expect(sameRoles(['a', 'm'], ['m', 'a'])).toBe(true);
    expect(sameRoles(['a'], ['a', 'm'])).toBe(false);
  });
});

describe('search', () => {
  it('matches name or e-mail, ignoring case', () => {
    expect(matchesUser(user, '')).toBe(true);
    expect(matchesUser(user, 'scully')).toBe(true);
    expect(matchesUser(user, 'dana@acme')).toBe(true);
    expect(matchesUser(user, 'mulder')).toBe(false);
  });
});
