//! The administrator guard across PostgreSQL replicas: the check that a tenant keeps someone
//! able to repair it and the write it guards are one transaction serialised per tenant in the
//! database, so two replicas demoting the last two administrators at the same instant cannot
//! both pass (a per-process lock could not stop that).

use keebai_testkit as support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::cluster::*;

/// Rounds of the race; each one is two demotions sent to two replicas at once.
const ROUNDS: usize = 25;

async fn role_id(c: &Cluster, session: &str, name: &str) -> Value {
    let (s, roles) = c.get(c.a(), "/v1/roles", session).await;
    assert_eq!(s, StatusCode::OK, "{roles}");
    roles["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no {name} role: {roles}"))["id"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_cannot_demote_the_last_two_administrators_at_once() {
    with_replicas(
        "two_replicas_cannot_demote_the_last_two_administrators_at_once",
        |c| async move {
            let root = c.admin().await;
            let admin_role = role_id(&c, &root, "Admin").await;
            let member_role = role_id(&c, &root, "Member").await;
            let mut admins = Vec::new();
            for who in ["x", "y"] {
                let email = format!("{who}@acme.test");
                let password = format!("replica-{who}-password");
                let (s, user) = c
                    .send_json(
                        Method::POST,
                        c.a(),
                        "/v1/users",
                        &root,
                        json!({"email": email, "name": who, "password": password,
                               "role_ids": [admin_role]}),
                    )
                    .await;
                assert_eq!(s, StatusCode::CREATED, "{user}");
                let id = user["id"].as_str().expect("id").to_owned();
                admins.push((id, c.sign_in(c.a(), &email, &password).await));
            }
            // The first administrator steps down: x and y are the last two.
            let root_id = c.get(c.a(), "/v1/me", &root).await.1["user"]["id"].clone();
            let (s, body) = c
                .send_json(
                    Method::PUT,
                    c.a(),
                    &format!("/v1/users/{}/roles", root_id.as_str().expect("id")),
                    &root,
                    json!({"role_ids": [member_role]}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");

            let demote = |on: &'static str, (id, session): (String, String)| {
                let c = &c;
                let member_role = member_role.clone();
                async move {
                    let replica = if on == "A" { c.a() } else { c.b() };
                    c.send_json(
                        Method::PUT,
                        replica,
                        &format!("/v1/users/{id}/roles"),
                        &session,
                        json!({"role_ids": [member_role]}),
                    )
                    .await
                }
            };
            let mut wins = [0usize; 2];
            for round in 0..ROUNDS {
                // x steps down through A while y steps down through B.
                let ((sx, bx), (sy, by)) = tokio::join!(
                    demote("A", admins[0].clone()),
                    demote("B", admins[1].clone())
                );
                let statuses = [sx, sy];
                let ok: Vec<usize> = (0..2).filter(|&i| statuses[i] == StatusCode::OK).collect();
                assert_eq!(
                    ok.len(),
                    1,
                    "round {round}: exactly one demotion passes (x: {sx} {bx}, y: {sy} {by})"
                );
                let (winner, loser) = (ok[0], 1 - ok[0]);
                wins[winner] += 1;
                let refused = if loser == 0 { &bx } else { &by };
                assert_eq!(
                    statuses[loser],
                    StatusCode::CONFLICT,
                    "round {round}: {refused}"
                );
                assert_eq!(refused["error"]["code"], "conflict", "{refused}");
                assert!(
                    refused["error"]["message"]
                        .as_str()
                        .expect("message")
                        .contains("repair"),
                    "{refused}"
                );
                // The one left is still an administrator, on every replica.
                let (_, survivor_session) = &admins[loser];
                for r in [c.a(), c.b(), c.c()] {
                    let (s, users) = c.get(r, "/v1/users", survivor_session).await;
                    assert_eq!(s, StatusCode::OK, "round {round} on {}: {users}", r.name);
                    let holders: Vec<&Value> = users["users"]
                        .as_array()
                        .expect("users")
                        .iter()
                        .filter(|u| u["role_ids"].as_array().expect("ids").contains(&admin_role))
                        .collect();
                    assert_eq!(holders.len(), 1, "round {round}: one admin left: {users}");
                }
                // The survivor restores the other for the next round.
                let (s, body) = c
                    .send_json(
                        Method::PUT,
                        c.c(),
                        &format!("/v1/users/{}/roles", admins[winner].0),
                        survivor_session,
                        json!({"role_ids": [admin_role]}),
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "round {round}: restore: {body}");
            }
            eprintln!("x won {} rounds, y won {}", wins[0], wins[1]);
        },
    )
    .await;
}

/// A token policy saved through one replica governs the very next create on another: the
/// policy is read from the database on every create, never cached per process.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_policy_saved_on_one_replica_applies_on_the_next_create_on_another() {
    with_replicas(
        "a_policy_saved_on_one_replica_applies_on_the_next_create_on_another",
        |c| async move {
            let root = c.admin().await;
            let (s, _) = c
                .create_token(c.b(), &root, "before", &["messages.read"])
                .await;
            assert_eq!(s, StatusCode::CREATED, "no policy yet: no expiry is fine");
            let (s, body) = c
                .send_json(
                    Method::PUT,
                    c.a(),
                    "/v1/tenant/token-policy",
                    &root,
                    json!({"max_lifetime_days": null, "require_expiration": true}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
            let (s, body) = c
                .create_token(c.b(), &root, "after", &["messages.read"])
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["error"]["code"], "invalid_request");
            let (s, breakers) = c
                .get(c.b(), "/v1/admin/tokens?violates_policy=true", &root)
                .await;
            assert_eq!(s, StatusCode::OK, "{breakers}");
            assert_eq!(
                breakers["tokens"].as_array().map(Vec::len),
                Some(1),
                "the token made before: {breakers}"
            );
        },
    )
    .await;
}
