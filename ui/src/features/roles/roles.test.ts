import { describe, expect, it } from 'vitest';
import {
  boxState,
  isChanged,
  isLocked,
  LOCKED_REASON,
  NOT_HELD_REASON,
  savedMessage,
  toggled,
  toSave,
} from './roles';
import type { PermissionGroup, Role } from '../../lib/types';

const member: Role = { id: 'r2', name: 'Member', permissions: ['messages.read'], builtin: true };
const admin: Role = { id: 'r1', name: 'Admin', permissions: ['messages.read', 'developer.manage_tokens'], builtin: true };
const custom: Role = { id: 'r3', name: 'Admin', permissions: [], builtin: false };
const groups: PermissionGroup[] = [
  { group: 'Messages', permissions: [{ key: 'messages.read', group: 'Messages', label: 'Read messages', description: '' }] },
  {
    group: 'Developer',
    permissions: [
      { key: 'developer.manage_tokens', group: 'Developer', label: 'Manage API Tokens', description: '' },
      { key: 'developer.audit_tokens', group: 'Developer', label: 'Audit API Tokens', description: '' },
    ],
  },
];

describe('which boxes may change', () => {
  it('locks every box of the built-in Admin role, checked, with the reason', () => {
    expect(isLocked(admin)).toBe(true);
    expect(boxState(admin, [], 'developer.audit_tokens', ['developer.audit_tokens'])).toEqual({
      checked: true,
      disabled: true,
      reason: LOCKED_REASON,
    });
  });

  it('does not lock a custom role that happens to be called Admin', () => {
    expect(isLocked(custom)).toBe(false);
    expect(boxState(custom, [], 'messages.read', ['messages.read']).disabled).toBe(false);
  });

  it('lets an admin add what they hold', () => {
    expect(boxState(member, member.permissions, 'developer.manage_tokens', ['developer.manage_tokens'])).toEqual({
      checked: false,
      disabled: false,
      reason: null,
    });
  });

  it("refuses to add what the admin doesn't hold", () => {
    expect(boxState(member, member.permissions, 'developer.audit_tokens', ['messages.read'])).toEqual({
      checked: false,
      disabled: true,
      reason: NOT_HELD_REASON,
    });
  });

  it("lets them take away, and put back, what the role had even if they don't hold it", () => {
    expect(boxState(member, ['messages.read'], 'messages.read', []).disabled).toBe(false);
    expect(boxState(member, [], 'messages.read', []).disabled).toBe(false);
  });

  it('lets a box checked by mistake be unchecked again', () => {
    expect(boxState(member, ['messages.read', 'x.y'], 'x.y', []).disabled).toBe(false);
  });
});

describe('changes and saving', () => {
  it('toggles a key on and off', () => {
    expect(toggled(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggled(['a', 'b'], 'a')).toEqual(['b']);
  });

  it('sees a change whatever the order, and none when toggled back', () => {
    expect(isChanged(member, ['messages.read'])).toBe(false);
    expect(isChanged(admin, ['developer.manage_tokens', 'messages.read'])).toBe(false);
    expect(isChanged(member, ['messages.read', 'developer.manage_tokens'])).toBe(true);
    expect(isChanged(member, [])).toBe(true);
    expect(isChanged(member, toggled(toggled(['messages.read'], 'x'), 'x'))).toBe(false);
  });

  it('sends the selection in catalog order, keeping keys the catalog does not list', () => {
    expect(toSave(groups, ['developer.manage_tokens', 'future.key', 'messages.read'])).toEqual([
      'messages.read',
      'developer.manage_tokens',
      'future.key',
    ]);
  });

  it('names the role after a save', () => {
    expect(savedMessage(member)).toMatch(/^Saved\. Everyone with the Member role/);
  });
});
