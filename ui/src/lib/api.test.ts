import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));

import { invoke } from '@tauri-apps/api/core';
import { api, onSessionEnded, toAppError } from './api';
import type { AppError } from './types';

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

describe('call: the one place a session end is seen', () => {
  const rejectWith = (e: AppError) => vi.mocked(invoke).mockRejectedValueOnce(e);
  afterEach(() => onSessionEnded(null));

  it('tells the session owner when any command meets a 401, and still rejects', async () => {
    const ended: AppError[] = [];
    onSessionEnded((e) => ended.push(e));
    const gone = { code: 'unauthorized', message: 'Your session has ended. Sign in again.' } as const;
    for (const attempt of [
      () => api.revokeToken('t1'),
      () => api.createToken({ name: 'x', scopes: [], expires_at: null }),
      () => api.rotateToken('t1', 'now'),
      () => api.listTokens(),
      () => api.refreshSession(),
    ]) {
      rejectWith(gone);
      await expect(attempt()).rejects.toEqual(gone);
    }
    rejectWith({ code: 'not_signed_in', message: 'You are signed out.' });
    await expect(api.listPermissions()).rejects.toMatchObject({ code: 'not_signed_in' });
    expect(ended.map((e) => e.code)).toEqual([
      'unauthorized', 'unauthorized', 'unauthorized', 'unauthorized', 'unauthorized', 'not_signed_in',
    ]);
  });

  it('leaves a refused sign-in and every other error to the caller', async () => {
    const ended: AppError[] = [];
    onSessionEnded((e) => ended.push(e));
    rejectWith({ code: 'unauthorized', message: 'The tenant, email or password is not right.' });
    await expect(
      api.signIn({ server: 's', tenant: 't', email: 'e', password: 'p' }),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    rejectWith({ code: 'server_unreachable', message: "Can't reach the server" });
    await expect(api.revokeToken('t1')).rejects.toMatchObject({ code: 'server_unreachable' });
    rejectWith({ code: 'forbidden', message: 'no' });
    await expect(api.createToken({ name: 'x', scopes: [], expires_at: null })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(ended).toEqual([]);
  });
});
