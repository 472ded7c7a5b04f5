import { describe, expect, it } from 'vitest';
import { chosenNumber } from './numberField';

describe('a number field as a choice', () => {
  it('is a whole number when it holds one', () => {
    expect(chosenNumber('30')).toBe(30);
    expect(chosenNumber(' 45 ')).toBe(45);
    expect(chosenNumber('12.6')).toBe(13);
  });

  it('is no choice while emptied or not a number', () => {
    expect(chosenNumber('')).toBeNull();
    expect(chosenNumber('   ')).toBeNull();
    expect(chosenNumber('abc')).toBeNull();
    expect(chosenNumber('Infinity')).toBeNull();
  });
});
