// The data table's arithmetic, kept apart from DataTable.svelte so it is tested: which rows of a
// long list are in the DOM (virtualised rows of one fixed height), where the keyboard moves the
// active row, how far to scroll to reveal it, and the header's sort cycle.

export type SortDir = 'asc' | 'desc';
export interface SortState<K extends string = string> {
  key: K;
  dir: SortDir;
}

/** One column of a DataTable. */
export interface Column<K extends string = string> {
  key: K;
  label: string;
  sortable?: boolean;
  /** The class of the column's cells. */
  class?: string;
  /** Say the label to assistive technology only. */
  hideLabel?: boolean;
}

/** The rows to render: `[start, end)`, and the space the rows left out would take above and
 * below them, so the scroll height is that of the whole list. */
export interface RowWindow {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

export interface WindowInput {
  count: number;
  rowHeight: number;
  /** How far the viewport's top is below the first row's top (negative: the rows start lower
   * down, inside the viewport or below it). */
  offset: number;
  viewportHeight: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan: number;
}

export function rowWindow({ count, rowHeight, offset, viewportHeight, overscan }: WindowInput): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const first = Math.floor(Math.max(0, offset) / rowHeight);
  const last = Math.ceil(Math.max(0, offset + Math.max(0, viewportHeight)) / rowHeight);
  const start = clamp(first - overscan, 0, count);
  const end = clamp(Math.max(last + overscan, start), 0, count);
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}

export const NAV_KEYS = ['ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'PageUp'] as const;
export type NavKey = (typeof NAV_KEYS)[number];

export function isNavKey(key: string): key is NavKey {
  return (NAV_KEYS as readonly string[]).includes(key);
}

/** The active row after a key: one row, a page of rows, or either end; -1 when there are none.
 * With no active row yet (-1), any key starts at the first row (End at the last). */
export function moveActive(current: number, key: NavKey, count: number, pageRows: number): number {
  if (count <= 0) return -1;
  const page = Math.max(1, pageRows);
  if (current < 0) return key === 'End' ? count - 1 : 0;
  switch (key) {
    case 'ArrowDown':
      return clamp(current + 1, 0, count - 1);
    case 'ArrowUp':
      return clamp(current - 1, 0, count - 1);
    case 'PageDown':
      return clamp(current + page, 0, count - 1);
    case 'PageUp':
      return clamp(current - page, 0, count - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
  }
}

/** How far to scroll (positive: down) so row `index` lies wholly in the viewport; 0 when it
 * does. `offset` and `viewportHeight` as in {@link rowWindow}; `topInset` is what covers the
 * viewport's top (a sticky header). */
export function revealDelta(
  index: number,
  rowHeight: number,
  offset: number,
  viewportHeight: number,
  topInset = 0,
): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  const visibleTop = offset + topInset;
  const visibleBottom = offset + viewportHeight;
  if (top < visibleTop) return top - visibleTop;
  if (bottom > visibleBottom) return Math.min(bottom - visibleBottom, top - visibleTop);
  return 0;
}

/** Clicking a header: a new column sorts ascending, the same column flips direction. */
export function nextSort<K extends string>(current: SortState<K> | null, clicked: K): SortState<K> {
  if (current?.key === clicked) return { key: clicked, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key: clicked, dir: 'asc' };
}

export function ariaSort(current: SortState | null, key: string): 'ascending' | 'descending' | 'none' {
  if (current?.key !== key) return 'none';
  return current.dir === 'asc' ? 'ascending' : 'descending';
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
