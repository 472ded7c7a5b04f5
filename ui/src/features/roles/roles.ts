// The Roles screen's rules, pure so they are tested at their edges: which boxes may change and
// why not, whether a role was changed, and the list a save sends. They mirror the server's
// rules (domain/admin.rs), so the screen never offers what the server will refuse:
// * the built-in Admin role always holds every permission;
// * nobody grants a permission they do not hold (taking one away, or putting back one the role
//   already had, is allowed).
import type { PermissionGroup, Role } from '../../lib/types';

export const ADMIN_ROLE = 'Admin';

export const LOCKED_REASON = 'The built-in Admin role always holds every permission.';
export const NOT_HELD_REASON = "You can't grant a permission you don't hold yourself.";

/** The built-in Admin role: shown, never changed. */
export function isLocked(role: Role): boolean {
  return role.builtin && role.name === ADMIN_ROLE;
}

export interface BoxState {
  checked: boolean;
  disabled: boolean;
  /** Why the box can't change; null when it can. */
  reason: string | null;
}

export function boxState(
  role: Role,
  selected: readonly string[],
  key: string,
  held: readonly string[],
): BoxState {
  if (isLocked(role)) return { checked: true, disabled: true, reason: LOCKED_REASON };
  const checked = selected.includes(key);
  // Adding means: not in the role as saved. Only what the admin holds may be added.
  const adding = !checked && !role.permissions.includes(key);
  if (adding && !held.includes(key)) return { checked, disabled: true, reason: NOT_HELD_REASON };
  return { checked, disabled: false, reason: null };
}

export function toggled(selected: readonly string[], key: string): string[] {
  return selected.includes(key) ? selected.filter((k) => k !== key) : [...selected, key];
}

/** Whether the boxes differ from the role as saved (order does not matter). */
export function isChanged(role: Role, selected: readonly string[]): boolean {
  const saved = new Set(role.permissions);
  return selected.length !== saved.size || selected.some((k) => !saved.has(k));
}

/** The list a save sends: the selected keys in catalog order, then any key the catalog does
 * not list (kept, so a save never drops what this build does not know). */
export function toSave(groups: readonly PermissionGroup[], selected: readonly string[]): string[] {
  const order = groups.flatMap((g) => g.permissions.map((p) => p.key));
  const known = order.filter((k) => selected.includes(k));
  return [...known, ...selected.filter((k) => !order.includes(k))];
}

/** What the screen says after a save. */
export function savedMessage(role: Role): string {
  return `Saved. Everyone with the ${role.name} role has these permissions now; they refresh their session to see them in the app.`;
}
