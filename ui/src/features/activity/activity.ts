// The Activity screen's words and filters, pure so they are tested: what an audit action is
// called, who did it and what it was about (in the names the app knows: "You", a token's name
// and prefix), and the search and action filter.
import type { AuditEvent, TokenRecord } from '../../lib/types';

/** The server's dotted action names, in people's words. */
const ACTION_WORDS: Record<string, string> = {
  'session.created': 'Signed in',
  'session.failed': 'Sign-in failed',
  'token.created': 'Token created',
  'token.rotated': 'Token rotated',
  'token.revoked': 'Token revoked',
  'role.created': 'Role created',
  'role.changed': 'Role changed',
  // What servers before schema 15 called it; a trail cached from one may still hold it.
  'role.updated': 'Role changed',
  'user.created': 'User created',
  'user.roles_changed': "User's roles changed",
  'user.disabled': 'User disabled',
  'user.enabled': 'User enabled',
  'policy.changed': 'Token policy changed',
};

/** An action in words; one this build does not know, as the server named it. */
export function actionLabel(action: string): string {
  return ACTION_WORDS[action] ?? action;
}

/** Who did it: "You" for the signed-in user, else the actor's id; "Unknown account" for a
 * failed sign-in to an account that does not exist. */
export function actorLabel(event: AuditEvent, me: string | null): string {
  if (event.actor === null) return 'Unknown account';
  return event.actor === me ? 'You' : event.actor;
}

/** What it was about: a token the user knows by its name and prefix, else the id. */
export function targetLabel(event: AuditEvent, tokens: ReadonlyMap<string, TokenRecord>): string {
  if (event.target === null) return '';
  const t = tokens.get(event.target);
  return t ? `${t.name} (${t.prefix}…)` : event.target;
}

/** The particulars worth a column: a revoke's reason, a rotation's replacement and timing. */
export function detailLabel(event: AuditEvent, tokens: ReadonlyMap<string, TokenRecord>): string {
  const d = event.detail;
  if (!d) return '';
  const parts: string[] = [];
  if (d.reason) parts.push(`Reason: ${d.reason}`);
  if (d.replacement) {
    const t = tokens.get(d.replacement);
    parts.push(`Replaced by ${t ? `${t.prefix}…` : d.replacement}`);
  }
  if (d.self_rotation) parts.push('by the token itself');
  if (d.retire === 'on_first_use') parts.push('old token stops on first use of the new one');
  else if (d.grace_seconds) parts.push(`old token stops after ${Math.round(d.grace_seconds / 3600)} h`);
  return parts.join('; ');
}

/** The actions present, in words, for the action filter (sorted, each once). */
export function actionChoices(events: readonly AuditEvent[]): { value: string; label: string }[] {
  const seen = [...new Set(events.map((e) => e.action))];
  return seen.map((value) => ({ value, label: actionLabel(value) })).sort((a, b) => a.label.localeCompare(b.label));
}

/** Whether an event passes the action filter ('' for all) and the search, which looks at every
 * word shown in its row and at the raw ids. */
export function matchesEvent(
  event: AuditEvent,
  action: string,
  query: string,
  me: string | null,
  tokens: ReadonlyMap<string, TokenRecord>,
): boolean {
  if (action !== '' && event.action !== action) return false;
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  const haystack = [
    actionLabel(event.action),
    event.action,
    actorLabel(event, me),
    event.actor ?? '',
    targetLabel(event, tokens),
    event.target ?? '',
    event.ip ?? '',
    detailLabel(event, tokens),
  ]
    .join('\n')
    .toLowerCase();
  return haystack.includes(q);
}
