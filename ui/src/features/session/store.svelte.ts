// The one owner of the signed-in state: the session, the token list, and what the pages do
// with them. Whatever call finds the session gone, `handle` decides "signed out" for every view.
import { api } from '../../lib/api';
import type {
  AppConfig,
  AppError,
  PermissionGroup,
  SessionView,
  TokenListView,
  TokenRecord,
} from '../../lib/types';

export class SessionStore {
  config: AppConfig | null = $state(null);
  session: SessionView | null = $state(null);
  /** Why the user is at the sign-in screen (session expired, restore failed…). */
  notice: string | null = $state(null);
  list: TokenListView | null = $state(null);
  groups: PermissionGroup[] = $state([]);
  pageError: AppError | null = $state(null);
  refreshing = $state(false);
  refreshMessage: string | null = $state(null);
  starting = $state(true);

  /** The permission keys the session holds now. */
  get permissions(): readonly string[] {
    return this.session?.permissions ?? [];
  }

  start = async () => {
    try {
      this.config = await api.appConfig();
      const restored = await api.restoreSession();
      if (restored) await this.enter(restored);
    } catch (e) {
      this.notice = (e as AppError).message;
    } finally {
      this.starting = false;
    }
  };

  enter = async (s: SessionView) => {
    this.session = s;
    this.notice = null;
    this.refreshMessage = null;
    if (s.can_manage_tokens) await this.load();
  };

  // Any call that finds the session gone sends the user back to sign-in with the reason.
  handle = (e: unknown) => {
    const err = e as AppError;
    if (err.code === 'unauthorized' || err.code === 'not_signed_in') {
      this.session = null;
      this.list = null;
      this.notice = err.message;
    } else {
      this.pageError = err;
    }
  };

  load = async () => {
    this.pageError = null;
    try {
      [this.list, this.groups] = await Promise.all([api.listTokens(), api.listPermissions()]);
    } catch (e) {
      this.handle(e);
    }
  };

  refreshPermissions = async () => {
    this.refreshing = true;
    this.refreshMessage = null;
    try {
      const s = await api.refreshSession();
      this.session = s;
      if (s.can_manage_tokens) await this.load();
      else this.refreshMessage = 'Permissions refreshed: Manage API Tokens is not granted yet.';
    } catch (e) {
      this.handle(e);
    } finally {
      this.refreshing = false;
    }
  };

  signOut = async () => {
    try {
      await api.signOut();
    } catch (e) {
      this.pageError = e as AppError;
      return;
    }
    this.session = null;
    this.list = null;
    this.groups = [];
    this.pageError = null;
    this.config = await api.appConfig();
  };

  revoke = async (t: TokenRecord) => {
    const updated = await api.revokeToken(t.id);
    if (this.list) this.list.tokens = this.list.tokens.map((x) => (x.id === updated.id ? updated : x));
    await this.load();
  };

  setClipboardSeconds = async (value: number) => {
    if (!this.config || !Number.isFinite(value)) return;
    this.config.clipboard_clear_seconds = await api.setClipboardTimeout(value);
  };

  setKeepOfflineCopy = async (keep: boolean) => {
    if (!this.config) return;
    this.config.keep_offline_copy = await api.setKeepOfflineCopy(keep);
  };
}
