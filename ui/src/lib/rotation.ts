// Rotation: the Rotate dialog's choices, the Rotation screen's schedule (due 90 days after
// creation, overdue first) and what an old row says about when it stops working. Pure, so the
// rules are tested at their boundaries.
import { exactUtc, formatDate } from './time';
import type { Attention, RetireChoice, TokenPolicy, TokenRecord } from './types';

export const ROTATE_AFTER_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;
/** The longest grace the dialog offers (24 hours), plus slack for clocks. */
const LONGEST_GRACE_MS = DAY_MS + 5 * 60 * 1000;

export interface RetireOption {
  value: RetireChoice;
  label: string;
  help: string;
  /** The old token keeps working a while, so both count toward the limit. */
  needsFreeSlot: boolean;
}

export const RETIRE_CHOICES: readonly RetireOption[] = [
  {
    value: 'on_first_use',
    label: 'When the new token is first used',
    help: 'The old token stops as soon as the new one makes its first successful request, and at the latest 7 days from now.',
    needsFreeSlot: true,
  },
  {
    value: 'after_1_hour',
    label: 'After 1 hour',
    help: 'Both tokens work for one hour.',
    needsFreeSlot: true,
  },
  {
    value: 'after_24_hours',
    label: 'After 24 hours',
    help: 'Both tokens work for 24 hours.',
    needsFreeSlot: true,
  },
  {
    value: 'now',
    label: 'Now',
    help: 'The old token is revoked at once. Choose this if it may have leaked.',
    needsFreeSlot: false,
  },
];

/**
 * The preselected choice. A routine rotation should not break a running integration, and
 * "first use" retires the old token as soon as the new one is proven in use; at the limit only
 * "now" can succeed, so it is preselected there.
 */
export function defaultRetire(atLimit: boolean): RetireChoice {
  return atLimit ? 'now' : 'on_first_use';
}

export function choiceAllowed(option: RetireOption, atLimit: boolean): boolean {
  return !atLimit || !option.needsFreeSlot;
}

/**
 * How many days the new token of a rotation lives, as the server decides it: the old token's
 * lifetime (90 days for one that never expired), cut to the token policy's maximum.
 */
export function rotatedLifetimeDays(old: TokenRecord, policy: TokenPolicy | null): number {
  const lifetime = old.expires_at
    ? Math.max(1, new Date(old.expires_at).getTime() - new Date(old.created_at).getTime())
    : ROTATE_AFTER_DAYS * DAY_MS;
  const max = policy?.max_lifetime_days;
  const capped = max == null ? lifetime : Math.min(lifetime, max * DAY_MS);
  return Math.max(1, Math.round(capped / DAY_MS));
}

/** When a token is due for rotation: 90 days after it was created. */
export function dueDate(createdAt: string): Date {
  return new Date(new Date(createdAt).getTime() + ROTATE_AFTER_DAYS * DAY_MS);
}

/**
 * Whole days until the due date: positive before it, 0 on the day it falls due (exactly 90
 * days old, up to 91), negative once overdue (-1 at 91 days old).
 */
export function daysUntilDue(createdAt: string, now: Date): number {
  const ageDays = Math.floor((now.getTime() - new Date(createdAt).getTime()) / DAY_MS);
  return ROTATE_AFTER_DAYS - ageDays;
}

export function dueLabel(days: number): string {
  if (days === 0) return 'Due today';
  if (days < 0) return `${-days} ${-days === 1 ? 'day' : 'days'} overdue`;
  return `Due in ${days} ${days === 1 ? 'day' : 'days'}`;
}

export interface ScheduleRow {
  token: TokenRecord;
  due: Date;
  days: number;
  label: string;
  overdue: boolean;
}

/** Every active token by due date, the most overdue first; ties by name. */
export function rotationSchedule(tokens: readonly TokenRecord[], now: Date): ScheduleRow[] {
  return tokens
    .filter((t) => t.status === 'active')
    .map((token) => {
      const days = daysUntilDue(token.created_at, now);
      return { token, due: dueDate(token.created_at), days, label: dueLabel(days), overdue: days < 0 };
    })
    .sort(
      (a, b) =>
        a.due.getTime() - b.due.getTime() ||
        a.token.name.localeCompare(b.token.name, 'en', { sensitivity: 'base' }),
    );
}

/** The Rotation table's sortable columns. */
export type ScheduleKey = 'name' | 'prefix' | 'created' | 'due';

/**
 * The schedule re-ordered by a column header; ties keep the schedule's order (most overdue
 * first), so a re-sort never shuffles equal rows. Created and Due order alike: the due date is
 * the creation date plus 90 days.
 */
export function sortSchedule(rows: readonly ScheduleRow[], key: ScheduleKey, dir: 'asc' | 'desc'): ScheduleRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const by = (a: ScheduleRow, b: ScheduleRow): number => {
    switch (key) {
      case 'name':
        return a.token.name.localeCompare(b.token.name, 'en', { sensitivity: 'base' });
      case 'prefix':
        return a.token.prefix.localeCompare(b.token.prefix);
      case 'created':
      case 'due':
        return a.due.getTime() - b.due.getTime();
    }
  };
  return rows
    .map((row, i) => [row, i] as const)
    .sort(([a, i], [b, j]) => sign * by(a, b) || i - j)
    .map(([row]) => row);
}

/**
 * What an old row's Expires column says once it was rotated and still works: when it stops.
 * Null for every other row (the plain expiry date is shown). With "when the new token is first
 * used" the server sets the old token's expiry to the 7-day deadline until that first use, so
 * an expiry further out than the longest grace, while the replacement is unused, means it waits.
 */
export function stopsLabel(
  old: TokenRecord,
  replacement: TokenRecord | undefined,
): string | null {
  if (old.status !== 'active' || !old.replaced_by || !old.expires_at) return null;
  const waiting =
    replacement !== undefined &&
    replacement.last_used_at === null &&
    new Date(old.expires_at).getTime() - new Date(replacement.created_at).getTime() >
      LONGEST_GRACE_MS;
  if (waiting) {
    return `When the new token is first used (at the latest ${formatDate(old.expires_at)})`;
  }
  return `Stops ${exactUtc(old.expires_at)}`;
}

/** "Replaced by kbai_pk_…" / "Rotated from kbai_pk_…": the rotation link, by prefix. */
export function rotationLinks(t: TokenRecord, byId: ReadonlyMap<string, TokenRecord>): string[] {
  const links: string[] = [];
  if (t.rotated_from) links.push(`Rotated from ${byId.get(t.rotated_from)?.prefix ?? 'a deleted token'}`);
  if (t.replaced_by) links.push(`Replaced by ${byId.get(t.replaced_by)?.prefix ?? 'a newer token'}`);
  return links;
}

/**
 * What the Rotation screen says above its table when the reminder's rule (Rust's
 * `reminders::attention`) finds tokens: the same counts as the notification. Null for none.
 */
export function attentionSummary(a: Attention): string | null {
  if (a.count === 0) return null;
  const parts: string[] = [];
  const expiring = a.expiring.length;
  if (expiring > 0) parts.push(`${expiring} ${expiring === 1 ? 'expires' : 'expire'} within 7 days`);
  const due = a.due_for_rotation.length;
  if (due > 0) parts.push(`${due} ${due === 1 ? 'is' : 'are'} due for rotation`);
  return `${a.count} ${a.count === 1 ? 'API key needs' : 'API keys need'} attention: ${parts.join(', ')}.`;
}
