import { describe, expect, it } from 'vitest';
import { toAppError } from './api';

describe('toAppError', () => {
  it('keeps the {code, message} the Rust side sends', () => {
    expect(toAppError({ code: 'token_limit_reached', message: 'limit' })).toEqual({
      code: 'token_limit_reached',
      message: 'limit',
    });
  });
  it('wraps anything else as internal, so the UI can always switch on code', () => {
    expect(toAppError('boom')).toEqual({ code: 'internal', message: 'boom' });
    expect(toAppError(undefined).code).toBe('internal');
  });
});
