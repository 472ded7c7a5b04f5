// The shapes the Rust commands take and return. They are generated from the Rust types
// (src-tauri/src/dto.rs, error.rs, commands.rs, keebai_api::wire) by ts-rs into ./bindings/,
// never written by hand; after changing one of those types, regenerate with
//   cargo test -p keebai-keys --lib export_bindings -- --ignored
// (a Rust test fails while the committed files are stale). This file only re-exports them,
// under the names the UI uses, beside the UI's own types.

export type { Account } from './bindings/Account';
export type { ActivityView } from './bindings/ActivityView';
export type { AuditEvent } from './bindings/AuditEvent';
/** The user's tokens expiring within 7 days or due for rotation (the Rotation badge). */
export type { Attention } from './bindings/Attention';
export type { BulkRevokeResponse } from './bindings/BulkRevokeResponse';
export type { InventoryToken } from './bindings/InventoryToken';
export type { InventoryView } from './bindings/InventoryView';
export type { TokenOwner } from './bindings/TokenOwner';
export type { AppConfig } from './bindings/AppConfig';
export type { AuditReport } from './bindings/AuditReport';
export type { AuditView } from './bindings/AuditView';
/** The Audit screen's views (their words are in features/audit/views.ts). */
export type { AuditViewKind } from './bindings/AuditViewKind';
export type { CopyView } from './bindings/CopyView';
export type { CreatedTokenView } from './bindings/CreatedTokenView';
export type { CreateTokenArgs } from './bindings/CreateTokenArgs';
export type { CreateUserArgs } from './bindings/CreateUserArgs';
export type { ExportFormat } from './bindings/ExportFormat';
export type { KeyringStatus } from './bindings/KeyringStatus';
export type { Permission } from './bindings/Permission';
export type { PermissionGroupView as PermissionGroup } from './bindings/PermissionGroupView';
export type { PolicyView } from './bindings/PolicyView';
export type { TokenPolicy } from './bindings/TokenPolicy';
export type { TokenDetailView } from './bindings/TokenDetailView';
export type { ChangedToken } from './bindings/ChangedToken';
export type { SyncChanges } from './bindings/SyncChanges';
export type { UsageAddress } from './bindings/UsageAddress';
export type { WorkHours } from './bindings/WorkHours';
export type { Role } from './bindings/Role';
export type { RolesView } from './bindings/RolesView';
export type { RotatedTokenView } from './bindings/RotatedTokenView';
export type { SessionView } from './bindings/SessionView';
export type { SignInArgs } from './bindings/SignInArgs';
export type { Tenant } from './bindings/Tenant';
export type { TokenListView } from './bindings/TokenListView';
export type { TokenRecord } from './bindings/TokenRecord';
export type { TokenStatus } from './bindings/TokenStatus';
export type { User } from './bindings/User';
export type { UserView } from './bindings/UserView';
export type { UsersView } from './bindings/UsersView';
/** When the old token stops working after a rotation (the Rotate dialog's four choices). */
export type { RetireChoice } from './bindings/RetireChoice';
/** Every `code` an AppError can carry: the server's, passed through, then the app's own. */
export type { ErrorCode } from './bindings/ErrorCode';
/** The one error shape every command rejects with. Switch on `code`, never on `message`. */
export type { AppError } from './bindings/AppError';
