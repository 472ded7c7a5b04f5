//! System Settings → Roles through the app's command layer (`AppService::list_roles` and
//! `update_role`, what the `list_roles` and `update_role` commands call) against a real
//! `keebai-server demo`: the spec's "Ask an admin" step — the admin opens the Member role,
//! checks *Manage API Tokens* under *Developer* and saves — and the server's refusals surfacing
//! with their codes.

use keebai_e2e::{app_signed_in, DemoServer, ADMIN, MEMBER};
use keebai_keys::error::ErrorCode;

const MANAGE_TOKENS: &str = "developer.manage_tokens";

#[tokio::test]
async fn an_admin_grants_manage_api_tokens_to_the_member_role_and_the_member_has_it() {
    let server = DemoServer::demo();
    let (admin, _a) = app_signed_in(&server, ADMIN).await;
    let (member, _m) = app_signed_in(&server, MEMBER).await;
    assert!(
        !member
            .refresh_session()
            .await
            .expect("sync")
            .can_manage_tokens
    );

    let view = admin.list_roles().await.expect("roles");
    let names: Vec<(&str, bool)> = view
        .roles
        .iter()
        .map(|r| (r.name.as_str(), r.builtin))
        .collect();
    assert!(names.contains(&("Admin", true)), "{names:?}");
    assert!(names.contains(&("Member", true)), "{names:?}");
    // The whole catalog, grouped: Developer → Manage API Tokens, as the guide names them.
    let developer = view
        .groups
        .iter()
        .find(|g| g.group == "Developer")
        .expect("a Developer group");
    let manage = developer
        .permissions
        .iter()
        .find(|p| p.key == MANAGE_TOKENS)
        .expect("in Developer");
    assert_eq!(manage.label, "Manage API Tokens");
    assert!(
        view.held.iter().any(|p| p == MANAGE_TOKENS),
        "the admin holds it"
    );
    let catalog: usize = view.groups.iter().map(|g| g.permissions.len()).sum();
    let admin_role = view
        .roles
        .iter()
        .find(|r| r.name == "Admin")
        .expect("Admin");
    assert_eq!(
        admin_role.permissions.len(),
        catalog,
        "Admin holds the whole catalog"
    );

    let role = view
        .roles
        .iter()
        .find(|r| r.name == "Member")
        .expect("Member");
    assert!(!role.permissions.iter().any(|p| p == MANAGE_TOKENS));
    let mut permissions = role.permissions.clone();
    permissions.push(MANAGE_TOKENS.to_owned());
    let saved = admin
        .update_role(&role.id, permissions.clone())
        .await
        .expect("save");
    assert_eq!(saved.id, role.id);
    assert!(saved.permissions.iter().any(|p| p == MANAGE_TOKENS));

    // The member's next sync picks it up, and the server lets them list tokens.
    assert!(
        member
            .refresh_session()
            .await
            .expect("sync")
            .can_manage_tokens
    );
    member.list_tokens().await.expect("the API Keys list");
    // Read back: the role holds exactly what was saved.
    let again = admin.list_roles().await.expect("roles");
    let stored = again
        .roles
        .iter()
        .find(|r| r.id == role.id)
        .expect("Member");
    let (mut want, mut got) = (permissions, stored.permissions.clone());
    want.sort();
    got.sort();
    assert_eq!(got, want);

    // And taken away again.
    let without: Vec<String> = stored
        .permissions
        .iter()
        .filter(|p| *p != MANAGE_TOKENS)
        .cloned()
        .collect();
    admin.update_role(&role.id, without).await.expect("save");
    assert!(
        !member
            .refresh_session()
            .await
            .expect("sync")
            .can_manage_tokens
    );
}

#[tokio::test]
async fn the_servers_rules_come_back_with_their_codes_and_change_nothing() {
    let server = DemoServer::demo();
    let (admin, _a) = app_signed_in(&server, ADMIN).await;
    let before = admin.list_roles().await.expect("roles");
    let admin_role = before
        .roles
        .iter()
        .find(|r| r.name == "Admin")
        .expect("Admin");
    let member_role = before
        .roles
        .iter()
        .find(|r| r.name == "Member")
        .expect("Member");

    // The built-in Admin role always holds every permission.
    let fewer = admin_role.permissions[1..].to_vec();
    let e = admin
        .update_role(&admin_role.id, fewer)
        .await
        .expect_err("refused");
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e:?}");
    assert!(e.message.contains("Admin role"), "{}", e.message);
    // A key the catalog does not have.
    let e = admin
        .update_role(&member_role.id, vec!["no.such_permission".to_owned()])
        .await
        .expect_err("refused");
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e:?}");
    // A role that is not there.
    let e = admin
        .update_role("00000000-0000-4000-8000-000000000000", vec![])
        .await
        .expect_err("refused");
    assert_eq!(e.code, ErrorCode::NotFound, "{e:?}");

    let after = admin.list_roles().await.expect("roles");
    assert_eq!(after.roles, before.roles, "nothing changed");
}

#[tokio::test]
async fn without_manage_roles_the_roles_are_forbidden() {
    let server = DemoServer::demo();
    let (member, _m) = app_signed_in(&server, MEMBER).await;
    let e = member.list_roles().await.expect_err("forbidden");
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    let e = member
        .update_role("anything", vec![])
        .await
        .expect_err("forbidden");
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    // A refusal is not the end of the session.
    member.refresh_session().await.expect("still signed in");
}

#[tokio::test]
async fn with_the_server_gone_the_roles_say_so_and_the_session_stays() {
    let mut server = DemoServer::demo();
    let (admin, _a) = app_signed_in(&server, ADMIN).await;
    let roles = admin.list_roles().await.expect("roles");
    let member_role = roles
        .roles
        .iter()
        .find(|r| r.name == "Member")
        .expect("Member")
        .clone();
    server.stop();
    let e = admin.list_roles().await.expect_err("unreachable");
    assert_eq!(e.code, ErrorCode::ServerUnreachable, "{e:?}");
    let e = admin
        .update_role(&member_role.id, vec![MANAGE_TOKENS.to_owned()])
        .await
        .expect_err("unreachable");
    assert_eq!(e.code, ErrorCode::ServerUnreachable, "{e:?}");
    server.serve_again();
    let back = admin.list_roles().await.expect("roles again");
    let member_now = back
        .roles
        .iter()
        .find(|r| r.id == member_role.id)
        .expect("Member");
    assert_eq!(
        member_now.permissions, member_role.permissions,
        "nothing was sent"
    );
}
