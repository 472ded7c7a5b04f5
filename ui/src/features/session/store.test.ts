import { describe, expect, it, vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));

import { invoke } from '@tauri-apps/api/core';
import { SessionStore } from './store.svelte';
import type { SessionView, TokenListView } from '../../lib/types';

// The Rust side answers these; only their shape matters to the store's launch order.
const session = { can_manage_tokens: true, offline: true, permissions: [] } as unknown as SessionView;
const cached = { tokens: [], offline: true, fetched_at: '2026-12-01T10:00:00Z' } as unknown as TokenListView;

describe('launch with a restored session', () => {
  it('shows the shell while the cached list is read, then the list, then syncs', async () => {
    let answerList: (l: TokenListView) => void = () => {};
    const asked: string[] = [];
    vi.mocked(invoke).mockImplementation(async (cmd: string) => {
      asked.push(cmd);
      if (cmd === 'app_config') return {};
      if (cmd === 'restore_session') return session;
      if (cmd === 'cached_tokens') return new Promise((resolve) => (answerList = resolve));
      // The server is down: the sync after the cached paint fails as it would offline.
      throw { code: 'server_unreachable', message: "Can't reach the server." };
    });
    const store = new SessionStore();
    const started = store.start();
    await vi.waitFor(() => expect(asked).toContain('cached_tokens'));

    // A large cached list takes a moment: meanwhile the window is the shell, not "Starting…".
    expect(store.starting).toBe(false);
    expect(store.session).toBe(session);
    expect(store.list).toBeNull();
    expect(asked).not.toContain('refresh_session');

    answerList(cached);
    await started;
    expect(store.list).toBe(cached);
    expect(asked.indexOf('refresh_session')).toBeGreaterThan(asked.indexOf('cached_tokens'));
    expect(store.session).not.toBeNull();
    // Offline, the store has scheduled a retry; ending the session stops it.
    store.ended({ code: 'not_signed_in', message: 'done' });
  });
});
