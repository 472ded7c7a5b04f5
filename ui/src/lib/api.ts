// Typed wrappers over the Rust commands. Every rejection is normalised to AppError.
import { invoke } from '@tauri-apps/api/core';
import type {
  AppConfig,
  AppError,
  CopyView,
  CreatedTokenView,
  CreateTokenArgs,
  PermissionGroup,
  RetireChoice,
  RotatedTokenView,
  SessionView,
  SignInArgs,
  TokenListView,
  TokenRecord,
} from './types';

export function toAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    return e as AppError;
  }
  return { code: 'internal', message: String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export const api = {
  appConfig: () => call<AppConfig>('app_config'),
  signIn: (form: SignInArgs) =>
    call<SessionView>('sign_in', { form }),
  restoreSession: () => call<SessionView | null>('restore_session'),
  signOut: () => call<void>('sign_out'),
  refreshSession: () => call<SessionView>('refresh_session'),
  listTokens: () => call<TokenListView>('list_tokens'),
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
};
