// The shapes the Rust commands return (src-tauri/src/dto.rs and keebai_api::wire).

export type TokenStatus = 'active' | 'expired' | 'revoked';

export interface TokenRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  status: TokenStatus;
  /** The token this one replaced by rotation (absent from older servers). */
  rotated_from?: string | null;
  /** The token that replaced this one by rotation. */
  replaced_by?: string | null;
}

export interface TokenListView {
  tokens: TokenRecord[];
  active_count: number;
  active_limit: number;
  offline: boolean;
  fetched_at: string;
}

export interface Permission {
  key: string;
  group: string;
  label: string;
  description: string;
}

export interface PermissionGroup {
  group: string;
  permissions: Permission[];
}

export interface Account {
  server: string;
  tenant: string;
  email: string;
}

export interface AppConfig {
  default_server: string | null;
  last_account: Account | null;
  clipboard_clear_seconds: number;
  /** "Keep an offline copy after signing out"; off: Sign out removes the cached token list. */
  keep_offline_copy: boolean;
  version: string;
  /** Said once when the cache file was unusable (corrupt or from a newer version) and was set
   * aside and rebuilt. */
  cache_notice: string | null;
}

export interface SessionView {
  server: string;
  tenant: { id: string; slug: string; name: string };
  user: { id: string; email: string; name: string };
  permissions: string[];
  can_manage_tokens: boolean;
  keyring: { persisted: boolean; message: string | null };
  /** The server could not be reached on the last call: cached data, server actions disabled. */
  offline: boolean;
  /** When the user, tenant and permissions were last read from the server. */
  synced_at: string;
}

export interface CreatedTokenView {
  token: string;
  record: TokenRecord;
}

/** When the old token stops working after a rotation (the Rotate dialog's four choices). */
export type RetireChoice = 'now' | 'after_1_hour' | 'after_24_hours' | 'on_first_use';

export interface RotatedTokenView {
  token: string;
  record: TokenRecord;
  /** The old token as it now stands: its expires_at or revoked_at say when it stops. */
  replaced: TokenRecord;
}

/** Every `code` an AppError can carry: the server's, passed through, then the app's own
 * (`src-tauri/src/error.rs`). */
export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'invalid_request'
  | 'token_limit_reached'
  | 'conflict'
  | 'rate_limited'
  | 'internal'
  | 'server_unreachable'
  | 'tls_error'
  | 'invalid_server_url'
  | 'insecure_server_url'
  | 'server_redirected'
  | 'unexpected_response'
  | 'not_signed_in'
  | 'keyring_unavailable'
  | 'clipboard_unavailable'
  | 'no_created_token'
  | 'local_storage';

/** The one error shape every command rejects with. Switch on `code`, never on `message`. */
export interface AppError {
  code: ErrorCode;
  message: string;
  field?: string;
}
