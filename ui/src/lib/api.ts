// Typed wrappers over the Rust commands. Every rejection is normalised to AppError, and every
// call passes through `call`: the one place that sees a session end, whatever screen or dialog
// made the call.
import { invoke } from '@tauri-apps/api/core';
import type {
  ActivityView,
  AppConfig,
  BulkRevokeResponse,
  InventoryView,
  AppError,
  AuditReport,
  CopyView,
  CreatedTokenView,
  CreateTokenArgs,
  CreateUserArgs,
  ExportFormat,
  PermissionGroup,
  PolicyView,
  RetireChoice,
  Role,
  RolesView,
  RotatedTokenView,
  SessionView,
  SignInArgs,
  TokenDetailView,
  TokenListView,
  TokenPolicy,
  TokenRecord,
  User,
  UsersView,
  WorkHours,
} from './types';

export function toAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    return e as AppError;
  }
  return { code: 'internal', message: String(e) };
}

/** The codes that mean "there is no session any more" (Rust has already forgotten it). */
export function endsSession(cmd: string, e: AppError): boolean {
  // A refused sign-in is the form's own error, not the end of a session.
  return cmd !== 'sign_in' && (e.code === 'unauthorized' || e.code === 'not_signed_in');
}

let sessionEnded: ((e: AppError) => void) | null = null;

/** Registers the session's owner (the session store), told whenever a call finds the session
 * over; it sends the app back to sign-in with the reason. */
export function onSessionEnded(listener: ((e: AppError) => void) | null): void {
  sessionEnded = listener;
}

export async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    const err = toAppError(e);
    if (endsSession(cmd, err)) sessionEnded?.(err);
    throw err;
  }
}

export const api = {
  appConfig: () => call<AppConfig>('app_config'),
  signIn: (form: SignInArgs) =>
    call<SessionView>('sign_in', { form }),
  restoreSession: () => call<SessionView | null>('restore_session'),
  signOut: () => call<void>('sign_out'),
  /** Asks the server who the session is now; offline (not an error) when it can't be reached. */
  refreshSession: () => call<SessionView>('refresh_session'),
  listTokens: () => call<TokenListView>('list_tokens'),
  /** The cached list without the network (null when none), painted before a sync; with
   *  `first`, only its first rows (and `total`). */
  cachedTokens: (first?: number) =>
    call<TokenListView | null>('cached_tokens', { first: first ?? null }),
  listPermissions: () => call<PermissionGroup[]>('list_permissions'),
  createToken: (form: CreateTokenArgs) =>
    call<CreatedTokenView>('create_token', { form }),
  copyCreatedToken: () => call<CopyView>('copy_created_token'),
  discardCreatedToken: () => call<void>('discard_created_token'),
  revokeToken: (id: string) => call<TokenRecord>('revoke_token', { id }),
  // The new secret is copied and discarded with copyCreatedToken / discardCreatedToken.
  rotateToken: (id: string, retireChoice: RetireChoice) =>
    call<RotatedTokenView>('rotate_token', { id, retireChoice }),
  setClipboardTimeout: (seconds: number) => call<number>('set_clipboard_timeout', { seconds }),
  setKeepOfflineCopy: (keep: boolean) => call<boolean>('set_keep_offline_copy', { keep }),
  setReminders: (on: boolean) => call<boolean>('set_reminders', { on }),
  listRoles: () => call<RolesView>('list_roles'),
  /** Saves the role's whole permission list. */
  updateRole: (id: string, permissions: string[]) => call<Role>('update_role', { id, permissions }),
  listUsers: () => call<UsersView>('list_users'),
  createUser: (form: CreateUserArgs) => call<User>('create_user', { form }),
  /** Saves the user's whole role list. */
  setUserRoles: (id: string, roleIds: string[]) => call<User>('set_user_roles', { id, roleIds }),
  /** The newest audit events; the cached copy, marked offline, when the server is away. */
  listActivity: () => call<ActivityView>('list_activity'),
  /** Asks where with the native save dialog and writes `contents` there; null if cancelled. */
  saveExport: (fileName: string, format: ExportFormat, contents: string) =>
    call<string | null>('save_export', { fileName, format, contents }),
  /** The Audit screen's views, computed in Rust from the cached list (null when none). */
  auditViews: () => call<AuditReport | null>('audit_views'),
  setStaleDays: (days: number) => call<number>('set_stale_days', { days }),
  /** Disables a user (sessions end, active tokens revoked) or enables them (sign-in only). */
  setUserDisabled: (id: string, disabled: boolean) => call<User>('set_user_disabled', { id, disabled }),
  /** Every token of the tenant; the cached copy, marked offline, when the server is away. */
  listInventory: () => call<InventoryView>('list_inventory'),
  adminRevokeToken: (id: string, reason: string) => call<TokenRecord>('admin_revoke_token', { id, reason }),
  /** With dryRun, exactly which of these would be revoked; without, revokes them. */
  bulkRevokeTokens: (ids: string[], reason: string, dryRun: boolean) =>
    call<BulkRevokeResponse>('bulk_revoke_tokens', { ids, reason, dryRun }),
  tokenPolicy: () => call<PolicyView>('get_token_policy'),
  /** The policy a dialog follows, or null when it can't be read (then the dialog shows no
   * limits; the server still decides). */
  knownTokenPolicy: (): Promise<TokenPolicy | null> =>
    call<PolicyView>('get_token_policy').then(
      (view) => view.policy,
      () => null,
    ),
  setTokenPolicy: (policy: TokenPolicy) => call<PolicyView>('set_token_policy', { policy }),
  tokenDetail: (id: string) => call<TokenDetailView>('token_detail', { id }),
  setWorkHours: (hours: WorkHours) => call<WorkHours>('set_work_hours', { hours }),
};
