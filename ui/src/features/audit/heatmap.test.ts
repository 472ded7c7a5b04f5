import { describe, expect, it } from 'vitest';
import { busiest, cellWords, hourHeading, shade } from './heatmap';

describe('the heat map', () => {
  it('shades by the share of the busiest hour, any use visible', () => {
    expect(shade(0, 40)).toBe(0);
    expect(shade(1, 400)).toBe(1);
    expect(shade(10, 40)).toBe(1);
    expect(shade(11, 40)).toBe(2);
    expect(shade(30, 40)).toBe(3);
    expect(shade(40, 40)).toBe(4);
    expect(shade(5, 0)).toBe(0);
  });
  it('finds the busiest cell and words each cell', () => {
    expect(busiest([[0, 3], [9, 1]])).toBe(9);
    expect(busiest([])).toBe(0);
    expect(cellWords(0, 2, 12)).toBe('Monday 02:00–02:59: 12 uses');
    expect(cellWords(6, 23, 1)).toBe('Sunday 23:00–23:59: 1 use');
    expect(cellWords(3, 9, 0)).toBe('Thursday 09:00–09:59: no uses');
    expect([0, 1, 3].map(hourHeading)).toEqual(['00', '', '03']);
  });
});
