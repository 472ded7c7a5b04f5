//! What the store can do, one trait per capability, so a reader (or a future narrower
//! handle) sees which part of the database a piece of the domain touches. [`super::Store`]
//! is all of them plus what an engine says about itself.

use async_trait::async_trait;

use super::*;

/// Tenants, their roles and users, and changes to who administers them.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    // --- tenants
    /// Inserts a tenant with its first roles and users in one transaction: all of it or nothing
    /// (a taken slug or e-mail is a `Conflict` and leaves no row behind).
    async fn insert_tenant(
        &self,
        tenant: &TenantRow,
        roles: &[RoleRow],
        users: &[UserRow],
    ) -> StoreResult<()>;
    async fn tenant(&self, id: &TenantId) -> StoreResult<Option<TenantRow>>;
    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<TenantRow>>;
    /// Whether any tenant exists (the demo refuses to seed a database that is in use).
    async fn has_tenants(&self) -> StoreResult<bool>;

    // --- roles
    async fn insert_role(&self, role: &RoleRow) -> StoreResult<()>;
    async fn role(&self, tenant_id: &TenantId, id: &RoleId) -> StoreResult<Option<RoleRow>>;
    async fn roles(&self, tenant_id: &TenantId) -> StoreResult<Vec<RoleRow>>;

    // --- users
    async fn insert_user(&self, user: &UserRow) -> StoreResult<()>;
    async fn user(&self, tenant_id: &TenantId, id: &UserId) -> StoreResult<Option<UserRow>>;
    async fn user_by_email(
        &self,
        tenant_id: &TenantId,
        email: &str,
    ) -> StoreResult<Option<UserRow>>;
    async fn users(&self, tenant_id: &TenantId) -> StoreResult<Vec<UserRow>>;
    /// Applies `change` to the tenant's roles or role assignments in one transaction that
    /// serialises with every other such change of the tenant, on every replica, and only if
    /// `rule` holds for the tenant's roles and users as they would be afterwards (read under
    /// that serialisation; see [`admin_change`]). Returns `false`, having written nothing,
    /// when the rule would break. A role rename onto a taken name is a `Conflict`.
    async fn change_administration(
        &self,
        tenant_id: &TenantId,
        change: &AdminWrite,
        rule: AdminRule,
    ) -> StoreResult<bool>;
    /// The union of the permissions of the user's roles, read now (never cached here, so a
    /// role change reaches every credential of the user on the next request).
    async fn user_permissions(&self, user_id: &UserId) -> StoreResult<Vec<String>>;
}

/// Sign-in sessions and the sign-in throttle's attempts.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn insert_session(&self, session: &SessionRow) -> StoreResult<()>;
    async fn session_by_hash(&self, hash: &str) -> StoreResult<Option<SessionRow>>;
    async fn delete_session(&self, hash: &str) -> StoreResult<()>;
    /// Ends the user's sessions beyond the `keep` newest; returns how many ended.
    async fn end_oldest_sessions(&self, user_id: &UserId, keep: u32) -> StoreResult<u64>;
    /// Housekeeping: deletes sessions expired at `now` and sign-in attempts older than
    /// `attempts_before`; returns how many rows went.
    async fn prune_sessions_and_attempts(&self, now: i64, attempts_before: i64)
        -> StoreResult<u64>;

    // --- sign-in throttling
    /// Records a sign-in attempt `id` for `account` at `now`, drops the account's attempts
    /// from before `window_start`, and returns the times of those left (this one included),
    /// oldest first — all in one transaction, so concurrent attempts each see the others.
    async fn begin_sign_in_attempt(
        &self,
        account: &str,
        id: &str,
        now: i64,
        window_start: i64,
    ) -> StoreResult<Vec<i64>>;
    /// Removes one attempt (one that was refused before any password was checked).
    async fn forget_sign_in_attempt(&self, id: &str) -> StoreResult<()>;
    /// Removes every attempt of `account` (after a successful sign-in).
    async fn clear_sign_in_attempts(&self, account: &str) -> StoreResult<()>;
}

/// Personal access tokens: create within the limit, look up, revoke, rotate.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Inserts `token` unless its owner already has `limit` active tokens at `now`; the count
    /// and the insert are one transaction that serialises with every other create of the same
    /// user, on every replica. Returns `false` when the limit was reached.
    async fn insert_token_within_limit(
        &self,
        token: &TokenRow,
        now: i64,
        limit: u32,
    ) -> StoreResult<bool>;
    async fn token(&self, id: &TokenId) -> StoreResult<Option<TokenRow>>;
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<TokenRow>>;
    /// The token with this hash only if it is active at `now` (neither revoked nor expired).
    /// Authentication uses this so that an unknown and a revoked or expired token cost the
    /// same: no row comes back for either, and nothing is decoded.
    async fn active_token_by_hash(&self, hash: &str, now: i64) -> StoreResult<Option<TokenRow>>;
    /// Every token of the user, newest first.
    async fn tokens_of_user(&self, user_id: &UserId) -> StoreResult<Vec<TokenRow>>;
    /// Sets `revoked_at` to `now` unless already set; returns the row as stored afterwards.
    /// Durable before it returns.
    async fn revoke_token(&self, id: &TokenId, now: i64) -> StoreResult<Option<TokenRow>>;
    /// Rotates a token in one transaction that serialises with every create and rotation of
    /// the same user, on every replica: retires the old token as asked, inserts the new one
    /// unless that would exceed the limit, and links the two. Anything but
    /// [`RotationOutcome::Rotated`] leaves the store unchanged.
    async fn rotate_token(&self, rotation: &Rotation) -> StoreResult<RotationOutcome>;
    /// After the first successful request of token `new_id`: a predecessor waiting for it
    /// (`retire: on_first_use`) now expires at `now` plus its grace (or earlier, if its
    /// deadline comes first). Returns whether a predecessor was waiting.
    async fn retire_predecessor(&self, new_id: &TokenId, now: i64) -> StoreResult<bool>;
}

/// The tenant-wide token inventory of security admins (`developer.audit_tokens`): listing
/// every token with its owner, and revoking many at once ([`super::inventory`]).
#[async_trait]
pub trait InventoryStore: Send + Sync {
    /// One page of the tenant's tokens that `filter` matches, newest first (`created_at`, then
    /// id byte-wise, both descending), strictly after `after`; states are judged at `now`.
    async fn token_inventory(
        &self,
        tenant_id: &TenantId,
        filter: &TokenFilter,
        now: i64,
        after: Option<&Position>,
        limit: u32,
    ) -> StoreResult<Vec<InventoryRow>>;
    /// Revokes at `now`, in one transaction, every token of the tenant that `selection` picks
    /// and that is active at `now` — unless that is more than `max` tokens
    /// ([`BulkOutcome::TooMany`], nothing written). With `dry_run` nothing is written either
    /// way and the answer is what would have been revoked. Durable before it returns; a
    /// concurrent revoke of one of the tokens makes it drop out of the answer, not fail it.
    async fn revoke_selected(
        &self,
        tenant_id: &TenantId,
        selection: &Selection,
        now: i64,
        max: u32,
        dry_run: bool,
    ) -> StoreResult<BulkOutcome>;
}

/// Where and how often tokens are used.
#[async_trait]
pub trait UsageStore: Send + Sync {
    /// Records one batch of uses in one transaction: `last_used_at` (with `last_used_ip`) is
    /// only ever moved forward, and hourly counts are added to what other replicas wrote.
    /// Uses of tokens that no longer exist are ignored.
    async fn record_token_use(&self, uses: &[TokenUse]) -> StoreResult<UseWrites>;
    /// The token's client addresses, most recently seen first.
    async fn token_addresses(&self, token_id: &TokenId) -> StoreResult<Vec<AddressUse>>;
    /// The token's hourly counts `(hour, count)` from `since_hour` on, oldest first.
    async fn token_usage(
        &self,
        token_id: &TokenId,
        since_hour: i64,
    ) -> StoreResult<Vec<(i64, u64)>>;
    /// Deletes hourly counts before `before_hour`; returns how many.
    async fn prune_usage(&self, before_hour: i64) -> StoreResult<u64>;
}

/// The append-only audit trail.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, event: &AuditRow) -> StoreResult<()>;
    /// Events of the tenant passing `filter`, newest first, strictly before `before`; with
    /// `visible_to`, only the events that user acted in or that target one of their tokens (an
    /// administrator's revoke belongs to the owner's trail too).
    async fn audit_events(
        &self,
        tenant_id: &TenantId,
        visible_to: Option<&str>,
        filter: &AuditFilter,
        before: Option<&AuditCursor>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRow>>;
}

/// Each tenant's token policy.
#[async_trait]
pub trait PolicyStore: Send + Sync {
    /// The tenant's policy; the default one when it never set any.
    async fn token_policy(&self, tenant_id: &TenantId) -> StoreResult<PolicyRow>;
    /// Replaces the tenant's policy as of `now`.
    async fn set_token_policy(
        &self,
        tenant_id: &TenantId,
        policy: &PolicyRow,
        now: i64,
    ) -> StoreResult<()>;
}

/// The demo resource API's messages.
#[async_trait]
pub trait MessageStore: Send + Sync {
    async fn insert_message(&self, message: &MessageRow) -> StoreResult<()>;
    async fn messages(&self, tenant_id: &TenantId, limit: u32) -> StoreResult<Vec<MessageRow>>;
}
