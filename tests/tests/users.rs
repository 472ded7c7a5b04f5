//! System Settings → Users through the app's command layer (`AppService::list_users`,
//! `create_user`, `set_user_roles`, what the commands of the same names call) against a real
//! `keebai-server demo`: the people and their roles, a new user who then signs in, roles
//! changed and felt by that user, and the server's refusals surfacing with their codes.

use keebai_api::wire::{Password, Role};
use keebai_e2e::{app_signed_in, files_containing, DemoServer, ADMIN, MEMBER};
use keebai_keys::app_service::NewUser;
use keebai_keys::error::ErrorCode;

const DANA: (&str, &str) = ("dana@acme.test", "dana-first-password");

fn role<'a>(roles: &'a [Role], name: &str) -> &'a Role {
    roles
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("a {name} role"))
}

fn dana(role_ids: Vec<String>) -> NewUser {
    NewUser {
        email: format!("  {}  ", DANA.0),
        name: " Dana Scully ".to_owned(),
        password: Password::new(DANA.1),
        role_ids,
    }
}

#[tokio::test]
async fn an_admin_creates_a_user_who_signs_in_and_whose_roles_then_change() {
    let server = DemoServer::demo();
    let http = server.http();
    let (admin, dir) = app_signed_in(&server, ADMIN).await;

    let view = admin.list_users().await.expect("users");
    let emails: Vec<&str> = view.users.iter().map(|u| u.email.as_str()).collect();
    assert!(
        emails.contains(&ADMIN.0) && emails.contains(&MEMBER.0),
        "{emails:?}"
    );
    let roles = view.roles.expect("the admin may read roles");
    let (member, developer) = (
        role(&roles, "Member").id.clone(),
        role(&roles, "Developer").id.clone(),
    );

    // Created as a Member; the form's spaces are trimmed.
    let created = admin
        .create_user(dana(vec![member.clone()]))
        .await
        .expect("created");
    assert_eq!(
        (created.email.as_str(), created.name.as_str()),
        (DANA.0, "Dana Scully")
    );
    assert_eq!(created.role_ids, vec![member.clone()]);
    let listed = admin.list_users().await.expect("users");
    assert!(listed.users.iter().any(|u| u.id == created.id), "listed");
    // Dana signs in with the first password; as a Member she can't manage tokens.
    let session = http.sign_in(DANA).await;
    assert_eq!(http.status_of("/v1/tokens", session.expose()).await, 403);

    // Given the Developer role, she can.
    let updated = admin
        .set_user_roles(&created.id, vec![member.clone(), developer.clone()])
        .await
        .expect("roles saved");
    let (mut got, mut want) = (updated.role_ids.clone(), vec![member, developer]);
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(http.status_of("/v1/tokens", session.expose()).await, 200);

    // The first password went to the server only: nothing in the app's folder holds it.
    assert!(
        files_containing(dir.path(), DANA.1).is_empty(),
        "the password was written down"
    );
}

#[tokio::test]
async fn refusals_come_back_with_their_codes_and_change_nothing() {
    let server = DemoServer::demo();
    let (admin, _dir) = app_signed_in(&server, ADMIN).await;
    let before = admin.list_users().await.expect("users");
    let roles = before.roles.clone().expect("roles");
    let member = role(&roles, "Member").id.clone();

    // An e-mail already in use.
    let mut taken = dana(vec![member.clone()]);
    taken.email = MEMBER.0.to_owned();
    let e = admin.create_user(taken).await.expect_err("taken");
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e:?}");
    assert_eq!(e.field.as_deref(), Some("email"), "{e:?}");
    // A password under the server's 12 characters.
    let mut short = dana(vec![member.clone()]);
    short.password = Password::new("short");
    let e = admin.create_user(short).await.expect_err("short");
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e:?}");
    assert_eq!(e.field.as_deref(), Some("password"), "{e:?}");
    // A role that is not there.
    let e = admin
        .create_user(dana(
            vec!["00000000-0000-4000-8000-000000000000".to_owned()],
        ))
        .await
        .expect_err("no such role");
    assert!(
        matches!(e.code, ErrorCode::InvalidRequest | ErrorCode::NotFound),
        "{e:?}"
    );
    // The last administrator can't lose Admin.
    let me = before
        .users
        .iter()
        .find(|u| u.email == ADMIN.0)
        .expect("admin");
    let e = admin
        .set_user_roles(&me.id, vec![member])
        .await
        .expect_err("last admin");
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");

    let after = admin.list_users().await.expect("users");
    assert_eq!(after.users, before.users, "nothing changed");
}

#[tokio::test]
async fn without_manage_users_the_users_are_forbidden() {
    let server = DemoServer::demo();
    let (member, _dir) = app_signed_in(&server, MEMBER).await;
    let e = member.list_users().await.expect_err("forbidden");
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    let e = member
        .create_user(dana(vec![]))
        .await
        .expect_err("forbidden");
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    member.refresh_session().await.expect("still signed in");
}

#[tokio::test]
async fn managing_users_without_reading_roles_lists_the_users_without_role_names() {
    let server = DemoServer::demo();
    let http = server.http();
    let admin = http.sign_in(ADMIN).await;
    // A "People" role that may manage users but not roles, and someone holding only it.
    let created: Role = http
        .client
        .post(format!("{}/v1/roles", http.base))
        .bearer_auth(admin.expose())
        .json(&serde_json::json!({"name": "People", "permissions": ["admin.manage_users"]}))
        .send()
        .await
        .expect("POST /v1/roles")
        .json()
        .await
        .expect("role json");
    let answer = http
        .client
        .post(format!("{}/v1/users", http.base))
        .bearer_auth(admin.expose())
        .json(&serde_json::json!({"email": DANA.0, "name": "Dana", "password": DANA.1, "role_ids": [created.id]}))
        .send()
        .await
        .expect("POST /v1/users");
    assert_eq!(answer.status(), 201);
    let roles = http.roles(&admin).await;
    assert!(roles.roles.iter().any(|r| r.name == "People"));

    let (people, _dir) = app_signed_in(&server, DANA).await;
    let view = people.list_users().await.expect("users without roles");
    assert!(
        view.roles.is_none(),
        "no role names without admin.manage_roles"
    );
    assert!(view.users.iter().any(|u| u.email == ADMIN.0));
}

#[tokio::test]
async fn with_the_server_gone_the_users_say_so_and_nothing_is_sent() {
    let mut server = DemoServer::demo();
    let (admin, _dir) = app_signed_in(&server, ADMIN).await;
    let before = admin.list_users().await.expect("users");
    server.stop();
    let e = admin.list_users().await.expect_err("unreachable");
    assert_eq!(e.code, ErrorCode::ServerUnreachable, "{e:?}");
    let e = admin
        .create_user(dana(vec![]))
        .await
        .expect_err("unreachable");
    assert_eq!(e.code, ErrorCode::ServerUnreachable, "{e:?}");
    server.serve_again();
    let after = admin.list_users().await.expect("users again");
    assert_eq!(after.users, before.users, "no user was created");
}
