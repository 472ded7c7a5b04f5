import { describe, expect, it } from 'vitest';
import { ariaSort, isNavKey, moveActive, nextSort, revealDelta, rowWindow } from './table';

describe('rowWindow', () => {
  const base = { rowHeight: 40, viewportHeight: 400, overscan: 5 };

  it('renders the viewport plus the overscan, and pads the rest', () => {
    const w = rowWindow({ ...base, count: 100_000, offset: 40_000 });
    // Rows 1000..1010 are visible; five more on each side.
    expect(w).toEqual({ start: 995, end: 1015, padTop: 995 * 40, padBottom: (100_000 - 1015) * 40 });
    expect(w.end - w.start).toBeLessThan(30);
    expect(w.padTop + (w.end - w.start) * 40 + w.padBottom).toBe(100_000 * 40);
  });

  it('covers a short list whole, from far below it to well past its end', () => {
    for (const offset of [-2000, -300, 0, 200, 480, 800]) {
      const w = rowWindow({ ...base, overscan: 20, count: 12, offset });
      expect([w.start, w.end], `offset ${offset}`).toEqual([0, 12]);
    }
  });

  it('renders the first rows while the table is still below the viewport', () => {
    expect(rowWindow({ ...base, count: 1000, offset: -900 })).toMatchObject({ start: 0, end: 5 });
  });

  it('stops at the last row when scrolled past the end', () => {
    const w = rowWindow({ ...base, count: 50, offset: 10_000 });
    expect(w).toMatchObject({ start: 50, end: 50, padTop: 2000, padBottom: 0 });
  });

  it('is empty for no rows, and survives an unmeasured viewport', () => {
    expect(rowWindow({ ...base, count: 0, offset: 0 })).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
    expect(rowWindow({ ...base, count: 10, offset: 0, viewportHeight: 0 })).toMatchObject({ start: 0, end: 5 });
  });
});

describe('moveActive', () => {
  it('moves by one, by a page and to either end, and stays in the list', () => {
    expect(moveActive(3, 'ArrowDown', 10, 4)).toBe(4);
    expect(moveActive(9, 'ArrowDown', 10, 4)).toBe(9);
    expect(moveActive(0, 'ArrowUp', 10, 4)).toBe(0);
    expect(moveActive(3, 'PageDown', 10, 4)).toBe(7);
    expect(moveActive(8, 'PageDown', 10, 4)).toBe(9);
    expect(moveActive(2, 'PageUp', 10, 4)).toBe(0);
    expect(moveActive(5, 'Home', 10, 4)).toBe(0);
    expect(moveActive(5, 'End', 10, 4)).toBe(9);
    expect(moveActive(5, 'PageDown', 100_000, 0)).toBe(6);
  });

  it('starts at the first row (End: the last), and has nothing to move in an empty list', () => {
    expect(moveActive(-1, 'ArrowDown', 10, 4)).toBe(0);
    expect(moveActive(-1, 'End', 10, 4)).toBe(9);
    expect(moveActive(-1, 'ArrowDown', 0, 4)).toBe(-1);
  });

  it('knows its keys', () => {
    expect(isNavKey('PageUp')).toBe(true);
    expect(isNavKey('Enter')).toBe(false);
  });
});

describe('revealDelta', () => {
  it('scrolls only as far as needed, clearing a sticky header', () => {
    // Viewport shows row offsets 400..800; a 40 px header covers its top.
    expect(revealDelta(12, 40, 400, 400, 40)).toBe(0);
    expect(revealDelta(10, 40, 400, 400, 40)).toBe(-40);
    expect(revealDelta(25, 40, 400, 400, 40)).toBe(240);
    expect(revealDelta(0, 40, 400, 400)).toBe(-400);
  });
});

describe('sorting', () => {
  it('cycles a column and marks the header', () => {
    const a = nextSort(null, 'name');
    expect(a).toEqual({ key: 'name', dir: 'asc' });
    const b = nextSort(a, 'name');
    expect(b).toEqual({ key: 'name', dir: 'desc' });
    expect(nextSort(b, 'status')).toEqual({ key: 'status', dir: 'asc' });
    expect(ariaSort(b, 'name')).toBe('descending');
    expect(ariaSort(a, 'name')).toBe('ascending');
    expect(ariaSort(a, 'status')).toBe('none');
  });
});
