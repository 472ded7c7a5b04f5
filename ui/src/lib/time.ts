// Time formatting for the table: relative "Last used", exact UTC on hover, dates for "Expires".

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

// One formatter of each kind for the whole app. Making one is costly (WebKit's JavaScriptCore
// builds it from locale data each time), and a table cell formats on every render: with a
// new formatter per call, a scroll through a long table spent most of each frame here.
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const DATE = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/** "just now", "5 minutes ago", "in 3 days": `iso` relative to `now`. */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (abs >= size) return RELATIVE.format(Math.round(seconds / size), unit);
  }
  return RELATIVE.format(Math.round(seconds / 60), 'minute');
}

/** "2026-11-28 04:00:00 UTC": the exact time, always in UTC. */
export function exactUtc(iso: string): string {
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** "Nov 28, 2026" (UTC calendar date). */
export function formatDate(iso: string): string {
  return DATE.format(new Date(iso));
}

/** What the Last used column shows. */
export function lastUsedLabel(iso: string | null, now: Date = new Date()): string {
  return iso === null ? 'Never' : relativeTime(iso, now);
}

/** What the Expires column shows. */
export function expiresLabel(iso: string | null): string {
  return iso === null ? 'Never' : formatDate(iso);
}
