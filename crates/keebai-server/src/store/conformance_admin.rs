//! Conformance checks of what keeps a tenant administrable: it is created whole or not at all;
//! and [`Store::change_administration`]'s rule sees the tenant as it would be after the change,
//! a refused change writes nothing, and concurrent changes of one tenant are judged one after
//! the other (two "demote the other one" changes cannot both pass).

use std::sync::Arc;

use super::admin_change::any_state;
use super::conformance::{fixture, token_for};
use super::*;

pub async fn run_all(store: Arc<dyn Store>) {
    a_tenant_is_created_whole_or_not_at_all(&*store).await;
    the_rule_judges_the_state_after_the_change(&*store).await;
    disabling_a_user_ends_sessions_and_revokes_active_tokens(&*store).await;
    concurrent_changes_are_judged_in_turn(store).await;
}

/// The rule the domain uses, reduced: someone still holds `admin`.
fn someone_holds_admin(roles: &[RoleRow], users: &[UserRow]) -> bool {
    users.iter().any(|u| {
        u.role_ids.iter().any(|id| {
            roles
                .iter()
                .any(|r| &r.id == id && r.permissions.iter().any(|p| p == "admin"))
        })
    })
}

pub async fn the_rule_judges_the_state_after_the_change(store: &dyn Store) {
    let (t, role, user) = fixture(store, &["admin"]).await;
    let demoted = AdminWrite::UserRoles {
        user_id: user.id.clone(),
        role_ids: vec![],
    };
    assert!(
        !store
            .change_administration(&t.id, &demoted, someone_holds_admin)
            .await
            .expect("refused change"),
        "removing the only admin's role breaks the rule"
    );
    let stripped = AdminWrite::Role(RoleRow {
        permissions: vec!["messages.read".into()],
        ..role.clone()
    });
    assert!(!store
        .change_administration(&t.id, &stripped, someone_holds_admin)
        .await
        .expect("refused change"));
    assert_eq!(
        store.user(&t.id, &user.id).await.expect("user"),
        Some(user.clone()),
        "a refused change writes nothing"
    );
    assert_eq!(
        store.role(&t.id, &role.id).await.expect("role"),
        Some(role.clone())
    );
    // With a second admin the same change passes.
    let second = UserRow {
        id: uuid::Uuid::now_v7().to_string().into(),
        email: format!("{}@example.test", uuid::Uuid::now_v7()),
        ..user.clone()
    };
    store.insert_user(&second).await.expect("second admin");
    assert!(store
        .change_administration(&t.id, &demoted, someone_holds_admin)
        .await
        .expect("allowed change"));
    assert!(store
        .user_permissions(&user.id)
        .await
        .expect("perms")
        .is_empty());
}

pub async fn concurrent_changes_are_judged_in_turn(store: Arc<dyn Store>) {
    for round in 0..10 {
        let (t, role, first) = fixture(&*store, &["admin"]).await;
        let second = UserRow {
            id: uuid::Uuid::now_v7().to_string().into(),
            email: format!("{}@example.test", uuid::Uuid::now_v7()),
            ..first.clone()
        };
        store.insert_user(&second).await.expect("second admin");
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let demote = |user: &UserRow| {
            let (store, barrier, tenant) = (Arc::clone(&store), Arc::clone(&barrier), t.id.clone());
            let change = AdminWrite::UserRoles {
                user_id: user.id.clone(),
                role_ids: vec![],
            };
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .change_administration(&tenant, &change, someone_holds_admin)
                    .await
                    .expect("change")
            })
        };
        let (a, b) = (demote(&first), demote(&second));
        let (a, b) = (a.await.expect("task"), b.await.expect("task"));
        assert!(
            a != b,
            "round {round}: exactly one demotion passes ({a}, {b})"
        );
        let users = store.users(&t.id).await.expect("users");
        let roles = vec![role.clone()];
        assert!(
            someone_holds_admin(&roles, &users),
            "round {round}: the tenant kept an admin"
        );
    }
}

pub async fn a_tenant_is_created_whole_or_not_at_all(store: &dyn Store) {
    let id = || uuid::Uuid::now_v7().to_string();
    let tenant = TenantRow {
        id: id().into(),
        slug: format!("t-{}", id()),
        name: "Whole".into(),
    };
    let role = RoleRow {
        id: id().into(),
        tenant_id: tenant.id.clone(),
        name: "Admin".into(),
        permissions: vec!["admin".into()],
        builtin: true,
    };
    let user = UserRow {
        id: id().into(),
        tenant_id: tenant.id.clone(),
        email: format!("{}@example.test", id()),
        name: "First".into(),
        password_hash: "$argon2id$placeholder".into(),
        role_ids: vec![role.id.clone()],
        disabled: false,
    };
    // The second user's e-mail is taken by the first: the whole tenant is refused.
    let twin = UserRow {
        id: id().into(),
        ..user.clone()
    };
    let roles = [role.clone()];
    assert!(matches!(
        store
            .insert_tenant(&tenant, &roles, &[user.clone(), twin])
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.tenant(&tenant.id).await.expect("tenant"), None);
    assert!(store.roles(&tenant.id).await.expect("roles").is_empty());
    assert!(store.users(&tenant.id).await.expect("users").is_empty());
    store
        .insert_tenant(&tenant, &roles, std::slice::from_ref(&user))
        .await
        .expect("whole tenant");
    assert_eq!(
        store.tenant(&tenant.id).await.expect("tenant"),
        Some(tenant.clone())
    );
    assert_eq!(store.roles(&tenant.id).await.expect("roles"), vec![role]);
    assert_eq!(store.users(&tenant.id).await.expect("users"), vec![user]);
}

/// `AdminWrite::User`: the rule sees the user disabled; disabling ends their sessions and
/// revokes their tokens active at `now` (an expired one keeps its state); enabling and renaming
/// touch nothing else.
pub async fn disabling_a_user_ends_sessions_and_revokes_active_tokens(store: &dyn Store) {
    let (t, _, user) = fixture(store, &["admin"]).await;
    let now = 10_000;
    let session = SessionRow {
        hash: super::conformance::id(),
        user_id: user.id.clone(),
        tenant_id: t.id.clone(),
        created_at: now - 10,
        expires_at: now + 3600,
    };
    store.insert_session(&session).await.expect("session");
    let active = token_for(&user, now - 10);
    let mut expired = token_for(&user, now - 20);
    expired.expires_at = Some(now - 1);
    for tok in [&active, &expired] {
        assert!(store
            .insert_token_within_limit(tok, now - 30, 10)
            .await
            .expect("token"));
    }
    let disable = AdminWrite::User {
        user_id: user.id.clone(),
        name: None,
        disabled: Some(true),
        now,
    };
    assert!(!store
        .change_administration(&t.id, &disable, someone_holds_admin_enabled)
        .await
        .expect("judged"));
    assert!(
        store
            .session_by_hash(&session.hash)
            .await
            .expect("read")
            .is_some(),
        "refused: nothing written"
    );
    assert!(store
        .change_administration(&t.id, &disable, any_state)
        .await
        .expect("disable"));
    let stored = store
        .user(&t.id, &user.id)
        .await
        .expect("read")
        .expect("user");
    assert!(stored.disabled);
    assert!(store
        .session_by_hash(&session.hash)
        .await
        .expect("read")
        .is_none());
    let a = store.token(&active.id).await.expect("read").expect("row");
    let e = store.token(&expired.id).await.expect("read").expect("row");
    assert_eq!((a.revoked_at, e.revoked_at), (Some(now), None));
    let enable = AdminWrite::User {
        user_id: user.id.clone(),
        name: Some("Back".into()),
        disabled: Some(false),
        now: now + 1,
    };
    assert!(store
        .change_administration(&t.id, &enable, any_state)
        .await
        .expect("enable"));
    let stored = store
        .user(&t.id, &user.id)
        .await
        .expect("read")
        .expect("user");
    assert_eq!((stored.disabled, stored.name.as_str()), (false, "Back"));
    let a = store.token(&active.id).await.expect("read").expect("row");
    assert_eq!(a.revoked_at, Some(now), "enabling brings no token back");
}

/// [`someone_holds_admin`] among enabled users, as the domain's rule counts them.
fn someone_holds_admin_enabled(roles: &[RoleRow], users: &[UserRow]) -> bool {
    let enabled: Vec<UserRow> = users.iter().filter(|u| !u.disabled).cloned().collect();
    someone_holds_admin(roles, &enabled)
}
