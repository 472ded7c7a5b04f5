// A token's week × hour heat map (the detail panel): the grid Rust computes (row 0 Monday,
// column 0 = 00:00, local time) turned into what the panel draws — five shades scaled to the
// busiest hour, and words for screen readers and tooltips.

export const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** 0 for no use, else 1–4 by the share of the busiest cell (any use is at least 1). */
export function shade(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((count / max) * 4)));
}

export function busiest(grid: readonly (readonly number[])[]): number {
  return Math.max(0, ...grid.flat());
}

/** "Monday 02:00–02:59: 12 uses". */
export function cellWords(day: number, hour: number, count: number): string {
  const hh = String(hour).padStart(2, '0');
  return `${DAYS[day]} ${hh}:00–${hh}:59: ${count === 0 ? 'no' : count} ${count === 1 ? 'use' : 'uses'}`;
}

/** The hours 0–23 as the column headings show them, every third one labelled. */
export function hourHeading(hour: number): string {
  return hour % 3 === 0 ? String(hour).padStart(2, '0') : '';
}
