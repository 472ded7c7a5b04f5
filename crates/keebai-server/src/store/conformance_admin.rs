//! Conformance checks of what keeps a tenant administrable: it is created whole or not at all;
//! and [`Store::change_administration`]'s rule sees the tenant as it would be after the change,
//! a refused change writes nothing, and concurrent changes of one tenant are judged one after
//! the other (two "demote the other one" changes cannot both pass).

use std::sync::Arc;

use super::conformance::fixture;
use super::*;

pub async fn run_all(store: Arc<dyn Store>) {
    a_tenant_is_created_whole_or_not_at_all(&*store).await;
    the_rule_judges_the_state_after_the_change(&*store).await;
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
