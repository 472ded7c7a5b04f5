import { describe, expect, it, vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));

import { invoke } from '@tauri-apps/api/core';
import { EXPIRY_TICK_MS, FIRST_ROWS, SessionStore } from './store.svelte';
import type { SessionView, TokenListView, TokenRecord } from '../../lib/types';

// The Rust side answers these; only their shape matters to the store's launch order.
const session = { can_manage_tokens: true, offline: true, permissions: [] } as unknown as SessionView;
const listOf = (n: number, total = n) =>
  ({
    tokens: Array.from({ length: n }, (_, i) => ({ id: `t${i}` }) as TokenRecord),
    total,
    offline: true,
    fetched_at: '2026-12-01T10:00:00Z',
  }) as unknown as TokenListView;

/** A `cached_tokens` call the test answers (or fails) when it chooses. */
type Read = { resolve: (l: TokenListView | null) => void; reject: (e: unknown) => void };

/** A launch whose `cached_tokens` calls wait for the test to answer them; the server is down. */
function launch() {
  const asked: { cmd: string; args: unknown }[] = [];
  const reads: Read[] = [];
  vi.mocked(invoke).mockImplementation(async (cmd: string, args?: unknown) => {
    asked.push({ cmd, args });
    if (cmd === 'app_config') return {};
    if (cmd === 'restore_session') return session;
    if (cmd === 'cached_tokens')
      return new Promise((resolve, reject) => reads.push({ resolve, reject }));
    throw { code: 'server_unreachable', message: "Can't reach the server." };
  });
  const store = new SessionStore();
  const started = store.start();
  const cmds = () => asked.map((a) => a.cmd);
  const nthRead = async (n: number) => {
    await vi.waitFor(() => expect(reads.length).toBe(n));
    return reads[n - 1];
  };
  /** The first screen of a cache of `total` tokens answered; the read of the rest, pending. */
  const readingTheRest = async (total: number) => {
    (await nthRead(1)).resolve(listOf(FIRST_ROWS, total));
    return nthRead(2);
  };
  return { store, started, asked, cmds, nthRead, readingTheRest };
}

describe('launch with a restored session', () => {
  it('shows the shell while the cached list is read, then the list, then syncs', async () => {
    const { store, started, asked, cmds, nthRead } = launch();
    const read = await nthRead(1);

    // Meanwhile the window is the shell, not "Starting…"; only the first rows are asked for.
    expect(store.starting).toBe(false);
    expect(store.session).toBe(session);
    expect(store.list).toBeNull();
    expect(asked.find((a) => a.cmd === 'cached_tokens')?.args).toEqual({ first: FIRST_ROWS });
    expect(cmds()).not.toContain('refresh_session');

    // A list of a screenful is whole at once: read once, no second call.
    const small = listOf(12);
    read.resolve(small);
    await started;
    expect(store.list).toBe(small);
    expect(store.head).toBeNull();
    expect(cmds().filter((c) => c === 'cached_tokens')).toHaveLength(1);
    expect(cmds().indexOf('refresh_session')).toBeGreaterThan(cmds().indexOf('cached_tokens'));
    store.ended({ code: 'not_signed_in', message: 'done' }); // stops the offline retry
  });

  it('paints a large cache its first rows first, then the whole list, then syncs', async () => {
    const { store, started, asked, cmds, readingTheRest } = launch();
    const rest = await readingTheRest(100_000);

    expect(store.head?.tokens).toHaveLength(FIRST_ROWS);
    expect(store.list).toBeNull(); // the other screens wait for the whole list
    expect(store.dataAsOf).toBe('2026-12-01T10:00:00Z');
    expect(asked.filter((a) => a.cmd === 'cached_tokens')[1].args).toEqual({ first: null });
    expect(cmds()).not.toContain('refresh_session');

    const whole = listOf(100_000);
    rest.resolve(whole);
    await started;
    expect(store.list).toBe(whole);
    expect(store.head).toBeNull();
    expect(cmds()).toContain('refresh_session');
    store.ended({ code: 'not_signed_in', message: 'done' });
  });

  it('says so on the page when the rest of the cache cannot be read, and still syncs', async () => {
    const { store, started, cmds, readingTheRest } = launch();
    const rest = await readingTheRest(5_000);
    rest.reject({ code: 'local_storage', message: 'The local cache could not be read.' });
    await started;
    expect(store.head).toBeNull();
    expect(store.list).toBeNull();
    // On the page (this mock's sync then fails too, and says so there as well), not as a
    // sign-in notice: the session stays and the launch went on to sync.
    expect(store.pageError).not.toBeNull();
    expect(store.notice).toBeNull();
    expect(store.session).toBe(session);
    expect(cmds()).toContain('refresh_session');
    store.ended({ code: 'not_signed_in', message: 'done' });
  });

  it('keeps nothing of a cache still being read when the session ends meanwhile', async () => {
    const { store, started, readingTheRest } = launch();
    const rest = await readingTheRest(5_000);
    store.ended({ code: 'unauthorized', message: 'Your session has ended. Sign in again.' });
    rest.resolve(listOf(5_000));
    await started;
    expect(store.list).toBeNull();
    expect(store.head).toBeNull();
    expect(store.notice).toBe('Your session has ended. Sign in again.');
  });
});

describe('a list that ages on screen', () => {
  const record = (id: string, expires_at: string | null) =>
    ({ id, status: 'active', expires_at }) as unknown as TokenRecord;
  const cached = (tokens: TokenRecord[]) =>
    ({
      ...listOf(0),
      tokens,
      total: tokens.length,
      active_count: tokens.length,
      active_limit: 10,
      attention: { expiring: tokens.map((t) => t.id), due_for_rotation: [], count: tokens.length },
    }) as TokenListView;

  it('shows a cached token whose expiry passed since the last sync as Expired, not Active', async () => {
    const { store, started, nthRead } = launch();
    (await nthRead(1)).resolve(cached([record('past', '2020-01-01T00:00:00Z'), record('future', '2999-01-01T00:00:00Z')]));
    await started;
    expect(store.list?.tokens.map((t) => t.status)).toEqual(['expired', 'active']);
    expect(store.list?.active_count).toBe(1);
    expect(store.list?.attention.expiring).toEqual(['future']);
    store.ended({ code: 'not_signed_in', message: 'done' });
  });

  it('turns a token Expired while the window stays open, at the next tick after its expiry', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'setTimeout', 'Date'] });
    try {
      const { store, started, nthRead } = launch();
      const soon = new Date(Date.now() + 10_000).toISOString();
      (await nthRead(1)).resolve(cached([record('soon', soon)]));
      await started;
      const before = store.list;
      expect(before?.tokens[0].status).toBe('active');
      vi.advanceTimersByTime(EXPIRY_TICK_MS);
      expect(store.list?.tokens[0].status).toBe('expired');
      expect(store.list?.active_count).toBe(0);
      // Nothing more to expire: later ticks leave the same list in place.
      const after = store.list;
      vi.advanceTimersByTime(EXPIRY_TICK_MS);
      expect(store.list).toBe(after);
      store.ended({ code: 'not_signed_in', message: 'done' });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('answers that arrive late or fail', () => {
  it('keeps the newest token list when an older load answers last', async () => {
    const pending: ((l: TokenListView) => void)[] = [];
    vi.mocked(invoke).mockImplementation(async (cmd: string) => {
      if (cmd === 'list_tokens') return new Promise((resolve) => pending.push(resolve));
      if (cmd === 'list_permissions') return [];
      throw { code: 'internal', message: `unexpected ${cmd}` };
    });
    const store = new SessionStore();
    store.session = session;
    const older = store.load(); // e.g. a sync's slow read
    const newer = store.load(); // e.g. the reload after a revoke
    await vi.waitFor(() => expect(pending).toHaveLength(2));
    const before = listOf(3);
    const after = listOf(2);
    pending[1](after);
    await newer;
    pending[0](before);
    await older;
    expect(store.list).toBe(after);
    store.ended({ code: 'not_signed_in', message: 'done' });
  });

  it('returns to sign-in when sign-out fails to clean up, saying what was left', async () => {
    vi.mocked(invoke).mockImplementation(async (cmd: string) => {
      if (cmd === 'sign_out') throw { code: 'keyring_unavailable', message: 'The keyring is locked.' };
      if (cmd === 'app_config') return {};
      throw { code: 'internal', message: `unexpected ${cmd}` };
    });
    const store = new SessionStore();
    store.session = session;
    store.list = listOf(1);
    await store.signOut();
    expect(store.session).toBeNull();
    expect(store.list).toBeNull();
    expect(store.pageError).toBeNull();
    expect(store.notice).toContain('The keyring is locked.');
  });
});
