// The one owner of the signed-in state: the session, the token list, and what the pages do
// with them. Every command goes through `call` in lib/api.ts, which tells this store when a call
// found the session over (a 401 from any screen or dialog): `ended` sends the app back to
// sign-in with the reason.
//
// A launch paints from the cache first (the session restored from the keyring and the cached
// profile, then the cached list), then syncs. With the server unreachable the session stays,
// marked offline: the banner says how old the data is and actions that need the server are
// disabled with `OFFLINE_REASON`. The app retries by itself with backoff (./retry.ts); **Sync**
// retries at once.
import { api, onSessionEnded } from '../../lib/api';
import { expireAt } from '../../lib/tokens';
import { retryDelaySeconds } from './retry';
import type {
  AppConfig,
  AppError,
  PermissionGroup,
  SessionView,
  TokenListView,
  TokenRecord,
  WorkHours,
} from '../../lib/types';

/** Why a button that needs the server is disabled while offline (its title). */
export const OFFLINE_REASON = "The server can't be reached. Sync when it is back.";
/** How many cached rows a launch paints before reading the rest: a screenful and more. */
export const FIRST_ROWS = 100;
/** How often the list on screen is judged again for tokens that expired since it was read. */
export const EXPIRY_TICK_MS = 30_000;

/** A list as received, judged at this moment: see `expireAt`. */
function judged<L extends TokenListView | null>(list: L): L {
  return (list && expireAt(list, Date.now())) as L;
}

export class SessionStore {
  config: AppConfig | null = $state(null);
  session: SessionView | null = $state(null);
  /** Why the user is at the sign-in screen (session expired, restore failed…). */
  notice: string | null = $state(null);
  // Raw, not deeply reactive: a cached list can hold 100,000 tokens, and a deep proxy would
  // wrap each record and property as the table reads it (memory and time for nothing — the
  // list is only ever replaced whole).
  list: TokenListView | null = $state.raw(null);
  /** At launch, while a large cached list is read: its first rows (API Keys shows them with
   *  "reading the rest"); every other screen waits for `list`. */
  head: TokenListView | null = $state.raw(null);
  groups: PermissionGroup[] = $state([]);
  pageError: AppError | null = $state(null);
  refreshing = $state(false);
  refreshMessage: string | null = $state(null);
  starting = $state(true);
  syncing = $state(false);
  /** Offline syncs in a row, for the backoff; the pending automatic retry. */
  private failures = 0;
  /** Token-list loads started, so an answer older than the latest one is dropped. */
  private loads = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    onSessionEnded(this.ended);
    // A token whose expiry comes while the window is open (or while offline) turns Expired on
    // screen within this long, as it did on the server.
    setInterval(() => {
      if (this.list) this.list = expireAt(this.list, Date.now());
    }, EXPIRY_TICK_MS);
  }

  /** The permission keys the session holds now. */
  get permissions(): readonly string[] {
    return this.session?.permissions ?? [];
  }

  /** The token list on screen: the whole list, or at launch its first rows while the rest is
   *  read (then `tokens.length < total`). */
  get shown(): TokenListView | null {
    return this.list ?? this.head;
  }

  /** The server couldn't be reached on the last call: the data shown is the cached copy. */
  get offline(): boolean {
    return !!this.session?.offline || !!this.shown?.offline;
  }

  /** When the data shown was fetched: the list's time, else the session's. */
  get dataAsOf(): string | null {
    return this.shown?.fetched_at ?? this.session?.synced_at ?? null;
  }

  start = async () => {
    try {
      this.config = await api.appConfig();
      const restored = await api.restoreSession();
      if (restored) {
        // The shell first (its page says it is loading), then what is cached, then the server:
        // a large cached list takes a moment to read, and the window is not blank meanwhile.
        this.session = restored;
        this.starting = false;
        if (restored.can_manage_tokens) await this.paintCached();
        await this.sync();
      }
    } catch (e) {
      this.notice = (e as AppError).message;
    } finally {
      this.starting = false;
    }
  };

  /** The cached list, its first screen first: 100,000 cached tokens take about 0.7 s to
   *  carry over IPC, the first rows a few milliseconds (docs/benchmarks.md). */
  private async paintCached() {
    const head = judged(await api.cachedTokens(FIRST_ROWS));
    if (!head || head.tokens.length >= head.total) {
      this.list = head;
      return;
    }
    this.head = head;
    try {
      const whole = judged(await api.cachedTokens());
      // Unless the session ended meanwhile (head cleared) or a newer list arrived.
      if (this.head === head) this.list ??= whole;
    } catch (e) {
      // Said on the page (with Retry); the launch goes on to sync.
      this.handle(e);
    } finally {
      if (this.head === head) this.head = null;
    }
  }

  enter = async (s: SessionView) => {
    this.session = s;
    this.notice = null;
    this.refreshMessage = null;
    if (s.can_manage_tokens) await this.load();
  };

  /** Told by `call` whenever a command found the session over. */
  ended = (err: AppError) => {
    this.stopRetrying();
    this.session = null;
    this.list = null;
    this.head = null;
    this.groups = [];
    this.pageError = null;
    this.notice = err.message;
  };

  // The session's end is handled by `ended` (through `call`); anything else is the page's.
  handle = (e: unknown) => {
    const err = e as AppError;
    if (err.code === 'unauthorized' || err.code === 'not_signed_in') this.ended(err);
    else this.pageError = err;
  };

  load = async () => {
    // Loads can overlap (a sync's slow read, then a revoke's): only the latest one started
    // may set the list, or an older answer would bring back what a later action changed.
    const mine = ++this.loads;
    this.pageError = null;
    try {
      const [list, groups] = await Promise.all([api.listTokens(), api.listPermissions()]);
      if (mine !== this.loads) return;
      this.list = judged(list);
      this.groups = groups;
    } catch (e) {
      if (mine === this.loads) this.handle(e);
    }
  };

  /** The **Sync** button and the check after a launch: the session, then its data. */
  sync = async () => {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const s = await api.refreshSession();
      this.session = s;
      if (s.can_manage_tokens) await this.load();
    } catch (e) {
      this.handle(e);
    } finally {
      this.syncing = false;
      this.scheduleRetry();
    }
  };

  /** Offline and still signed in: try again later, waiting longer each time. */
  private scheduleRetry() {
    this.stopRetrying();
    if (!this.session || !this.offline) {
      this.failures = 0;
      return;
    }
    this.failures += 1;
    this.retry = setTimeout(() => void this.sync(), retryDelaySeconds(this.failures) * 1000);
  }

  private stopRetrying() {
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
  }

  refreshPermissions = async () => {
    this.refreshing = true;
    this.refreshMessage = null;
    try {
      const s = await api.refreshSession();
      this.session = s;
      if (s.offline) this.refreshMessage = OFFLINE_REASON;
      else if (s.can_manage_tokens) await this.load();
      else this.refreshMessage = 'Permissions refreshed: Manage API Tokens is not granted yet.';
    } catch (e) {
      this.handle(e);
    } finally {
      this.refreshing = false;
    }
  };

  signOut = async () => {
    // Rust lets the session go before the steps that can fail (the keyring, the cache), so a
    // failed sign-out is still a sign-out: the app returns to sign-in either way, saying what
    // could not be cleaned up, rather than showing a session Rust no longer has.
    let failed: AppError | null = null;
    try {
      await api.signOut();
    } catch (e) {
      failed = e as AppError;
    }
    this.stopRetrying();
    this.failures = 0;
    this.session = null;
    this.list = null;
    this.head = null;
    this.groups = [];
    this.pageError = null;
    this.notice = failed ? `Signed out, but not everything could be cleaned up: ${failed.message}` : null;
    this.config = await api.appConfig();
  };

  revoke = async (t: TokenRecord) => {
    const updated = await api.revokeToken(t.id);
    if (this.list) this.list = { ...this.list, tokens: this.list.tokens.map((x) => (x.id === updated.id ? updated : x)) };
    await this.load();
  };

  setClipboardSeconds = async (value: number) => {
    if (!this.config || !Number.isFinite(value)) return;
    this.config.clipboard_clear_seconds = await api.setClipboardTimeout(value);
  };

  /** The Audit screen's Stale view: not used in this many days (Rust keeps it within 1–365). */
  setStaleDays = async (value: number) => {
    if (!this.config || !Number.isFinite(value)) return;
    this.config.stale_days = await api.setStaleDays(value);
  };

  /** The working days and hours Off-hours activity is judged by; Rust refuses an impossible
   * range, and the error is shown where the change was made. */
  setWorkHours = async (hours: WorkHours) => {
    if (!this.config) return;
    this.config.work_hours = await api.setWorkHours(hours);
  };

  /** The daily reminder notification (the Rotation badge shows either way). */
  setReminders = async (on: boolean) => {
    if (!this.config) return;
    this.config.reminders = await api.setReminders(on);
  };

  setKeepOfflineCopy = async (keep: boolean) => {
    if (!this.config) return;
    this.config.keep_offline_copy = await api.setKeepOfflineCopy(keep);
  };
}
