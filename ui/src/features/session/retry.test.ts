import { describe, expect, it } from 'vitest';
import { retryDelaySeconds } from './retry';

describe('retryDelaySeconds', () => {
  it('doubles from 30 s and stays at 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 300, 300, 300]);
  });
  it('treats nonsense counts as the first failure', () => {
    expect(retryDelaySeconds(0)).toBe(30);
    expect(retryDelaySeconds(-3)).toBe(30);
  });
});
