//! The storage conformance suite: one set of checks every [`Store`] engine must pass.
//!
//! Each check creates its own tenant with fresh ids, so the suite can run against a shared
//! database (one throwaway PostgreSQL database per test run) as well as a fresh SQLite file.
//! The engine's test file calls [`run_all`]; a failing check panics with its name.

use std::sync::Arc;

use super::admin_change::any_state;
use super::*;

pub(super) fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A tenant with one role holding `perms` and one user in it.
pub async fn fixture(store: &dyn Store, perms: &[&str]) -> (TenantRow, RoleRow, UserRow) {
    let tenant = TenantRow {
        id: id().into(),
        slug: format!("t-{}", id()),
        name: "Conformance".into(),
    };
    store
        .insert_tenant(&tenant, &[], &[])
        .await
        .expect("insert tenant");
    let role = RoleRow {
        id: id().into(),
        tenant_id: tenant.id.clone(),
        name: "Role".into(),
        permissions: perms.iter().map(|s| s.to_string()).collect(),
        builtin: false,
    };
    store.insert_role(&role).await.expect("insert role");
    let user = UserRow {
        id: id().into(),
        tenant_id: tenant.id.clone(),
        email: format!("{}@example.test", id()),
        name: "User".into(),
        password_hash: "$argon2id$placeholder".into(),
        role_ids: vec![role.id.clone()],
        disabled: false,
    };
    store.insert_user(&user).await.expect("insert user");
    (tenant, role, user)
}

/// A token row for `user` with a unique hash.
pub fn token_for(user: &UserRow, created_at: i64) -> TokenRow {
    let hash = format!("{:0>64}", id().replace('-', ""));
    TokenRow {
        id: id().into(),
        tenant_id: user.tenant_id.clone(),
        user_id: user.id.clone(),
        name: "conformance".into(),
        prefix: "kbai_pk_0000".into(),
        hash,
        scopes: vec!["messages.read".into()],
        created_at,
        expires_at: None,
        last_used_at: None,
        revoked_at: None,
        last_used_ip: None,
        rotated_from: None,
        replaced_by: None,
        retire_grace: None,
    }
}

/// Runs every check against `store`.
pub async fn run_all(store: Arc<dyn Store>) {
    tenants_round_trip(&*store).await;
    roles_and_permissions(&*store).await;
    users_and_roles(&*store).await;
    super::conformance_admin::run_all(Arc::clone(&store)).await;
    super::conformance_sign_in::sessions(&*store).await;
    super::conformance_housekeeping::run_all(&*store).await;
    tokens_round_trip_and_order(&*store).await;
    limit_counts_only_active(&*store).await;
    limit_holds_under_concurrency(Arc::clone(&store)).await;
    revoke_is_idempotent_and_keeps_the_row(&*store).await;
    super::conformance_rotation::run_all(Arc::clone(&store)).await;
    super::conformance_usage::run_all(Arc::clone(&store)).await;
    super::conformance_audit::run_all(&*store).await;
    super::conformance_inventory::run_all(&*store).await;
    super::conformance_policy::run_all(&*store).await;
    super::conformance_sign_in::run_all(Arc::clone(&store)).await;
}

pub async fn tenants_round_trip(store: &dyn Store) {
    let (t, _, _) = fixture(store, &[]).await;
    assert_eq!(store.tenant(&t.id).await.expect("tenant"), Some(t.clone()));
    assert_eq!(
        store.tenant_by_slug(&t.slug).await.expect("slug"),
        Some(t.clone())
    );
    assert_eq!(
        store.tenant_by_slug("no-such-tenant").await.expect("slug"),
        None
    );
    let dup = TenantRow {
        id: id().into(),
        ..t
    };
    assert!(matches!(
        store.insert_tenant(&dup, &[], &[]).await,
        Err(StoreError::Conflict(_))
    ));
}

pub async fn roles_and_permissions(store: &dyn Store) {
    let (t, mut role, user) = fixture(store, &["messages.read"]).await;
    assert_eq!(
        store.user_permissions(&user.id).await.expect("perms"),
        ["messages.read"]
    );
    role.permissions = vec!["messages.write".into(), "developer.manage_tokens".into()];
    role.name = "Renamed".into();
    assert!(store
        .change_administration(&t.id, &AdminWrite::Role(role.clone()), any_state)
        .await
        .expect("update"));
    assert_eq!(
        store.role(&t.id, &role.id).await.expect("role"),
        Some(role.clone())
    );
    assert_eq!(
        store.user_permissions(&user.id).await.expect("perms"),
        ["developer.manage_tokens", "messages.write"],
        "permissions follow the role at once, sorted and deduplicated"
    );
    let dup = RoleRow {
        id: id().into(),
        ..role.clone()
    };
    assert!(matches!(
        store.insert_role(&dup).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.roles(&t.id).await.expect("roles").len(), 1);
    assert_eq!(
        store
            .role(&"other-tenant".into(), &role.id)
            .await
            .expect("role"),
        None
    );
}

pub async fn users_and_roles(store: &dyn Store) {
    let (t, role, user) = fixture(store, &["contacts.read"]).await;
    let second = RoleRow {
        id: id().into(),
        tenant_id: t.id.clone(),
        name: "Second".into(),
        permissions: vec!["contacts.read".into(), "contacts.write".into()],
        builtin: true,
    };
    store.insert_role(&second).await.expect("role");
    let found = store
        .user_by_email(&t.id, &user.email)
        .await
        .expect("by email");
    assert_eq!(found, Some(user.clone()));
    let set = |role_ids: Vec<RoleId>| AdminWrite::UserRoles {
        user_id: user.id.clone(),
        role_ids,
    };
    assert!(store
        .change_administration(
            &t.id,
            &set(vec![role.id.clone(), second.id.clone()]),
            any_state
        )
        .await
        .expect("set roles"));
    let u = store
        .user(&t.id, &user.id)
        .await
        .expect("user")
        .expect("exists");
    let mut expected = vec![role.id.clone(), second.id.clone()];
    expected.sort();
    assert_eq!(u.role_ids, expected);
    assert_eq!(
        store.user_permissions(&user.id).await.expect("perms"),
        ["contacts.read", "contacts.write"]
    );
    assert!(store
        .change_administration(&t.id, &set(vec![]), any_state)
        .await
        .expect("clear"));
    assert!(store
        .user_permissions(&user.id)
        .await
        .expect("perms")
        .is_empty());
    let dup = UserRow {
        id: id().into(),
        role_ids: vec![],
        ..user.clone()
    };
    assert!(matches!(
        store.insert_user(&dup).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.users(&t.id).await.expect("users").len(), 1);
    assert_eq!(
        store
            .user(&"other-tenant".into(), &user.id)
            .await
            .expect("user"),
        None
    );
}

pub async fn tokens_round_trip_and_order(store: &dyn Store) {
    let (_, _, user) = fixture(store, &[]).await;
    let mut a = token_for(&user, 1_000);
    a.expires_at = Some(5_000);
    a.scopes = vec!["messages.read".into(), "contacts.read".into()];
    let b = token_for(&user, 2_000);
    assert!(store
        .insert_token_within_limit(&a, 1_500, 10)
        .await
        .expect("a"));
    assert!(store
        .insert_token_within_limit(&b, 2_500, 10)
        .await
        .expect("b"));
    assert_eq!(store.token(&a.id).await.expect("get"), Some(a.clone()));
    assert_eq!(
        store.token_by_hash(&b.hash).await.expect("get"),
        Some(b.clone())
    );
    assert_eq!(store.token_by_hash("nope").await.expect("get"), None);
    assert_eq!(
        store
            .active_token_by_hash(&a.hash, 4_999)
            .await
            .expect("get"),
        Some(a.clone())
    );
    assert_eq!(
        store
            .active_token_by_hash(&a.hash, 5_000)
            .await
            .expect("get"),
        None,
        "expired at its expiry"
    );
    assert_eq!(
        store.active_token_by_hash("nope", 0).await.expect("get"),
        None
    );
    let listed = store.tokens_of_user(&user.id).await.expect("list");
    assert_eq!(listed, vec![b.clone(), a.clone()], "newest first");
    let dup = TokenRow {
        id: id().into(),
        ..a
    };
    assert!(matches!(
        store.insert_token_within_limit(&dup, 2_500, 10).await,
        Err(StoreError::Conflict(_))
    ));
}

pub async fn limit_counts_only_active(store: &dyn Store) {
    let (_, _, user) = fixture(store, &[]).await;
    let now = 10_000;
    let mut revoked = token_for(&user, 1);
    revoked.revoked_at = Some(2);
    let mut expired = token_for(&user, 1);
    expired.expires_at = Some(now);
    assert!(store
        .insert_token_within_limit(&revoked, 1, 3)
        .await
        .expect("insert"));
    assert!(store
        .insert_token_within_limit(&expired, 1, 3)
        .await
        .expect("insert"));
    for i in 0..3 {
        let t = token_for(&user, now + i);
        assert!(store
            .insert_token_within_limit(&t, now, 3)
            .await
            .expect("insert"));
    }
    let fourth = token_for(&user, now + 9);
    assert!(
        !store
            .insert_token_within_limit(&fourth, now, 3)
            .await
            .expect("insert"),
        "the limit counts active tokens only, and refuses the one past it"
    );
    assert_eq!(store.token(&fourth.id).await.expect("get"), None);
}

pub async fn limit_holds_under_concurrency(store: Arc<dyn Store>) {
    let (_, _, user) = fixture(&*store, &[]).await;
    for i in 0..9 {
        assert!(store
            .insert_token_within_limit(&token_for(&user, i), 100, 10)
            .await
            .expect("seed"));
    }
    let mut tasks = Vec::new();
    for i in 0..50 {
        let store = Arc::clone(&store);
        let t = token_for(&user, 1_000 + i);
        tasks.push(tokio::spawn(async move {
            store.insert_token_within_limit(&t, 100, 10).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await
            .expect("join")
            .expect("no storage error under contention")
        {
            ok += 1;
        }
    }
    assert_eq!(
        ok, 1,
        "exactly one of 50 concurrent creates at 9 active succeeds"
    );
    let active = store
        .tokens_of_user(&user.id)
        .await
        .expect("list")
        .iter()
        .filter(|t| t.is_active(100))
        .count();
    assert_eq!(active, 10);
}

pub async fn revoke_is_idempotent_and_keeps_the_row(store: &dyn Store) {
    let (_, _, user) = fixture(store, &[]).await;
    let t = token_for(&user, 10);
    store
        .insert_token_within_limit(&t, 10, 10)
        .await
        .expect("insert");
    let first = store
        .revoke_token(&t.id, 20)
        .await
        .expect("revoke")
        .expect("row");
    assert_eq!(first.revoked_at, Some(20));
    assert_eq!(
        store.active_token_by_hash(&t.hash, 25).await.expect("get"),
        None,
        "revoked"
    );
    let again = store
        .revoke_token(&t.id, 30)
        .await
        .expect("revoke")
        .expect("row");
    assert_eq!(
        again.revoked_at,
        Some(20),
        "the first revocation time stands"
    );
    assert_eq!(store.tokens_of_user(&user.id).await.expect("list").len(), 1);
    assert_eq!(
        store
            .revoke_token(&"missing".into(), 30)
            .await
            .expect("revoke"),
        None
    );
}
