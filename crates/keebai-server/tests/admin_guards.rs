//! A tenant stays administrable, and a leaked token cannot create lasting access: the last
//! user able to repair the tenant cannot be demoted, nobody changes the roles of a user who
//! outranks them, and creating users or changing and assigning roles needs a session.

use keebai_testkit as support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{assert_error, TestServer};

const EVERYTHING: &[&str] = &[
    "developer.manage_tokens",
    "developer.audit_tokens",
    "developer.rotate_self",
    "messages.read",
    "messages.write",
    "contacts.read",
    "contacts.write",
    "admin.manage_roles",
    "admin.manage_users",
];

/// The id of the tenant's built-in Member role.
async fn member_role_id(srv: &TestServer, session: &str) -> Value {
    let (_, roles) = srv.get("/v1/roles", session).await;
    roles["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["name"] == "Member")
        .expect("Member")["id"]
        .clone()
}

#[tokio::test]
async fn a_pat_cannot_create_users_or_change_or_assign_roles() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (pat, _) = srv.mint(&admin, "admin automation", EVERYTHING, None).await;
    let member = srv.user_with(&["messages.read"]).await;
    let before_users = srv.get("/v1/users", &admin.session).await.1;
    let before_roles = srv.get("/v1/roles", &admin.session).await.1;
    let calls: [(&str, &str, Value); 4] = [
        (
            "post",
            "/v1/roles",
            json!({"name": "Backdoor", "permissions": ["messages.read"]}),
        ),
        (
            "put",
            &format!("/v1/roles/{}", member.role_id),
            json!({"permissions": EVERYTHING}),
        ),
        (
            "post",
            "/v1/users",
            json!({"email": "mallory@acme.test", "name": "M", "password": "mallory-password-1", "role_ids": [admin.role_id]}),
        ),
        (
            "put",
            &format!("/v1/users/{}/roles", member.user_id),
            json!({"role_ids": [admin.role_id]}),
        ),
    ];
    for (method, path, body) in calls {
        let (s, err) = match method {
            "post" => srv.post(path, &pat, body).await,
            _ => srv.put(path, &pat, body).await,
        };
        assert_error(s, &err, StatusCode::FORBIDDEN, "forbidden");
        assert!(
            err["error"]["message"]
                .as_str()
                .expect("m")
                .contains("sign in"),
            "{path}: {err}"
        );
    }
    // Reading stays open to a token with the scope.
    let (s, _) = srv.get("/v1/users", &pat).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(srv.get("/v1/users", &admin.session).await.1, before_users);
    assert_eq!(srv.get("/v1/roles", &admin.session).await.1, before_roles);
}

#[tokio::test]
async fn the_last_administrator_cannot_be_removed() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let member_role = member_role_id(&srv, &admin.session).await;
    // The only admin demotes themself: refused, nothing changes.
    let (s, err) = srv
        .put(
            &format!("/v1/users/{}/roles", admin.user_id),
            &admin.session,
            json!({"role_ids": [member_role]}),
        )
        .await;
    assert_error(s, &err, StatusCode::CONFLICT, "conflict");
    assert!(err["error"]["message"]
        .as_str()
        .expect("m")
        .contains("repair"));
    let (s, _) = srv.get("/v1/users", &admin.session).await;
    assert_eq!(s, StatusCode::OK, "still an admin");

    // A second repairer through a custom role: now the first may step down.
    let (s, ops) = srv
        .post(
            "/v1/roles",
            &admin.session,
            json!({"name": "Ops", "permissions": ["admin.manage_roles", "admin.manage_users"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ops}");
    let (s, ops_user) = srv
        .post(
            "/v1/users",
            &admin.session,
            json!({"email": "ops@acme.test", "name": "Ops", "password": "ops-password-123", "role_ids": [ops["id"]]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ops_user}");
    let (s, body) = srv
        .put(
            &format!("/v1/users/{}/roles", admin.user_id),
            &admin.session,
            json!({"role_ids": [member_role]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // Ops is now the last: emptying its role of either permission is refused.
    let ops_session = srv.sign_in("ops@acme.test", "ops-password-123").await["session_token"]
        .as_str()
        .expect("session")
        .to_owned();
    for keep in ["admin.manage_roles", "admin.manage_users"] {
        let (s, err) = srv
            .put(
                &format!("/v1/roles/{}", ops["id"].as_str().expect("id")),
                &ops_session,
                json!({"permissions": [keep]}),
            )
            .await;
        assert_error(s, &err, StatusCode::CONFLICT, "conflict");
    }
    let (_, me) = srv.get("/v1/me", &ops_session).await;
    assert_eq!(
        me["permissions"],
        json!(["admin.manage_roles", "admin.manage_users"])
    );
}

#[tokio::test]
async fn nobody_changes_the_roles_of_someone_who_outranks_them() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let junior = srv
        .user_with(&[
            "admin.manage_users",
            "messages.read",
            "messages.write",
            "contacts.read",
        ])
        .await;
    let member_role = member_role_id(&srv, &admin.session).await;
    let (s, err) = srv
        .put(
            &format!("/v1/users/{}/roles", admin.user_id),
            &junior.session,
            json!({"role_ids": [member_role]}),
        )
        .await;
    assert_error(s, &err, StatusCode::FORBIDDEN, "forbidden");
    // Someone the junior does outrank: allowed.
    let member = srv.user_with(&["messages.read"]).await;
    let (s, body) = srv
        .put(
            &format!("/v1/users/{}/roles", member.user_id),
            &junior.session,
            json!({"role_ids": [member_role]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}
