// "Since the previous sync": what changed between the last two syncs (Rust compares them),
// said in one line per kind of change, each token by name and prefix.
import type { ChangedToken, SyncChanges } from '../../lib/types';

function list(tokens: readonly ChangedToken[]): string {
  return tokens.map((t) => `${t.name} (${t.prefix})`).join(', ');
}

/** One line per kind of change, in a fixed order; none when nothing changed. */
export function changeLines(ch: SyncChanges): string[] {
  const lines: string[] = [];
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  if (ch.new_tokens.length) lines.push(`${n(ch.new_tokens.length, 'new token', 'new tokens')}: ${list(ch.new_tokens)}`);
  if (ch.revoked.length) lines.push(`${n(ch.revoked.length, 'token', 'tokens')} revoked: ${list(ch.revoked)}`);
  if (ch.used.length) lines.push(`${n(ch.used.length, 'token', 'tokens')} used since: ${list(ch.used)}`);
  for (const a of ch.new_addresses) lines.push(`${a.token.name} (${a.token.prefix}) used from a new address: ${a.ip}`);
  return lines;
}
