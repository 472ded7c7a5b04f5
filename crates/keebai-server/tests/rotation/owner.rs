//! The owner rotates: each retire choice, the lifetime, the conflict on a replaced token,
//! concurrency, the limit, the refusals.

use super::*;

#[tokio::test]
async fn owner_rotation_at_once_links_both_records_and_the_old_token_stops() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (old_secret, old) = srv
        .mint(&dev, "n8n nightly sync", &["messages.read"], None)
        .await;
    assert_eq!(old["rotated_from"], Value::Null);
    assert_eq!(old["replaced_by"], Value::Null);

    let before = Utc::now();
    let (s, body) = rotate(&srv, &dev, &id(&old), json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let new_secret = body["token"].as_str().expect("secret");
    assert!(new_secret.starts_with("kbai_pk_") && new_secret.len() == 72);
    assert_ne!(new_secret, old_secret);
    let new = &body["record"];
    assert_eq!(new["name"], "n8n nightly sync");
    assert_eq!(new["scopes"], json!(["messages.read"]));
    assert_eq!(new["prefix"], &new_secret[..12]);
    assert_eq!(new["rotated_from"], old["id"]);
    assert_eq!(body["replaced"]["replaced_by"], new["id"]);
    assert_eq!(
        body["replaced"]["status"], "revoked",
        "grace 0 revokes at once"
    );
    // The old token never expired: the new one gets the recommended 90 days.
    let expires = time(&new["expires_at"]);
    let days = (expires - before).num_seconds() as f64 / 86_400.0;
    assert!((89.99..=90.01).contains(&days), "{days} days");

    assert!(
        !works(&srv, &old_secret).await,
        "the old token stops at once"
    );
    assert!(works(&srv, new_secret).await);

    let l = list(&srv, &dev).await;
    assert_eq!(l["active_count"], 1);
    assert_eq!(l["tokens"].as_array().expect("tokens").len(), 2);
    assert!(
        !l.to_string().contains(&new_secret[12..]),
        "secret never listed"
    );

    let (_, events) = srv.get("/v1/audit-events?limit=10", &dev.session).await;
    let rotated = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["action"] == "token.rotated")
        .expect("a token.rotated event")
        .clone();
    assert_eq!(rotated["target"], old["id"]);
    assert_eq!(rotated["detail"]["replacement"], new["id"]);
    assert_eq!(rotated["detail"]["self_rotation"], false);
    assert_eq!(rotated["actor"], json!(dev.user_id));
}

#[tokio::test]
async fn the_new_token_keeps_the_old_ones_lifetime() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let in_30_days = (Utc::now() + chrono::Duration::days(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (_, old) = srv
        .mint(&dev, "Local dev", &["messages.read"], Some(&in_30_days))
        .await;
    let lifetime = time(&old["expires_at"]) - time(&old["created_at"]);
    let (s, body) = rotate(&srv, &dev, &id(&old), json!({"grace_seconds": 0})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let new = &body["record"];
    assert_eq!(
        time(&new["expires_at"]) - time(&new["created_at"]),
        lifetime
    );
}

#[tokio::test]
async fn after_a_grace_the_old_token_works_then_expires() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (old_secret, old) = srv.mint(&dev, "Zapier", &["messages.read"], None).await;
    let (s, body) = rotate(
        &srv,
        &dev,
        &id(&old),
        json!({"grace_seconds": 2, "retire": "after_grace"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let replaced = &body["replaced"];
    assert_eq!(replaced["status"], "active");
    let stops = time(&replaced["expires_at"]);
    let rotated_at = time(&body["record"]["created_at"]);
    assert_eq!(
        (stops - rotated_at).num_seconds(),
        2,
        "the old row says when it stops"
    );
    assert!(works(&srv, &old_secret).await, "inside the grace");
    assert!(works(&srv, body["token"].as_str().expect("secret")).await);
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    assert!(!works(&srv, &old_secret).await, "after the grace");
    let (_, now_old) = srv
        .get(&format!("/v1/tokens/{}", id(&old)), &dev.session)
        .await;
    assert_eq!(now_old["status"], "expired");
    assert_eq!(now_old["replaced_by"], body["record"]["id"]);
}

#[tokio::test]
async fn on_first_use_the_old_token_works_until_the_new_one_is_used() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (old_secret, old) = srv.mint(&dev, "cron", &["messages.read"], None).await;
    let (s, body) = rotate(&srv, &dev, &id(&old), json!({"retire": "on_first_use"})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let new_secret = body["token"].as_str().expect("secret").to_owned();
    // Never more than 7 days after the rotation.
    let deadline = time(&body["replaced"]["expires_at"]);
    let rotated_at = time(&body["record"]["created_at"]);
    assert_eq!((deadline - rotated_at).num_days(), 7);
    for _ in 0..3 {
        assert!(
            works(&srv, &old_secret).await,
            "until the new token is used"
        );
    }
    // A refused request is not a use: asking for a permission it lacks keeps the old alive.
    let (s, _) = srv
        .post("/v1/messages", &new_secret, json!({"body": "x"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(works(&srv, &old_secret).await, "a 403 is not the first use");

    assert!(works(&srv, &new_secret).await, "the first use");
    assert!(
        !works(&srv, &old_secret).await,
        "grace 0: stopped by the first use"
    );
    assert!(works(&srv, &new_secret).await);
}

#[tokio::test]
async fn on_first_use_with_a_grace_counts_the_grace_from_that_use() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (old_secret, old) = srv.mint(&dev, "cron", &["messages.read"], None).await;
    let (s, body) = rotate(
        &srv,
        &dev,
        &id(&old),
        json!({"retire": "on_first_use", "grace_seconds": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert!(
        works(&srv, &old_secret).await,
        "the grace has not started yet"
    );
    assert!(works(&srv, body["token"].as_str().expect("secret")).await);
    assert!(
        works(&srv, &old_secret).await,
        "inside the grace after the first use"
    );
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    assert!(
        !works(&srv, &old_secret).await,
        "the grace after the first use is over"
    );
}

#[tokio::test]
async fn rotating_a_replaced_token_is_a_conflict_that_changes_nothing() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (_, old) = srv.mint(&dev, "Zapier", &["messages.read"], None).await;
    let (s, first) = rotate(&srv, &dev, &id(&old), json!({"grace_seconds": 3600})).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let new_secret = first["token"].as_str().expect("secret");
    let before = list(&srv, &dev).await;

    // The retry of a client that lost the first answer.
    let (s, body) = rotate(&srv, &dev, &id(&old), json!({"grace_seconds": 3600})).await;
    assert_error(s, &body, StatusCode::CONFLICT, "conflict");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(
        message.contains(first["record"]["id"].as_str().expect("id")),
        "names the replacement: {message}"
    );
    assert_eq!(list(&srv, &dev).await, before, "nothing changed");
    assert!(
        works(&srv, new_secret).await,
        "the replacement is not revoked"
    );
}

#[tokio::test]
async fn concurrent_rotations_of_one_token_make_exactly_one_replacement() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (_, old) = srv.mint(&dev, "Zapier", &["messages.read"], None).await;
    let old_id = id(&old);
    let results = futures::future::join_all(
        (0..8).map(|_| rotate(&srv, &dev, &old_id, json!({"grace_seconds": 60}))),
    )
    .await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let conflicts = results
        .iter()
        .filter(|(s, b)| *s == StatusCode::CONFLICT && b["error"]["code"] == "conflict")
        .count();
    assert_eq!((created, conflicts), (1, 7), "{results:?}");
    let l = list(&srv, &dev).await;
    assert_eq!(l["tokens"].as_array().expect("tokens").len(), 2);
}

#[tokio::test]
async fn the_limit_allows_a_rotation_at_once_but_not_a_grace() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let mut tokens = Vec::new();
    for i in 0..10 {
        tokens.push(
            srv.mint(&dev, &format!("t{i}"), &["messages.read"], None)
                .await,
        );
    }
    let target = id(&tokens[0].1);
    for body in [
        json!({"grace_seconds": 60}),
        json!({"retire": "on_first_use"}),
        json!({"retire": "on_first_use", "grace_seconds": 0}),
    ] {
        let before = list(&srv, &dev).await;
        let (s, err) = rotate(&srv, &dev, &target, body.clone()).await;
        assert_error(s, &err, StatusCode::CONFLICT, "token_limit_reached");
        assert_eq!(list(&srv, &dev).await, before, "{body}: nothing changed");
        assert!(works(&srv, &tokens[0].0).await);
    }
    let (s, body) = rotate(&srv, &dev, &target, json!({"grace_seconds": 0})).await;
    assert_eq!(s, StatusCode::CREATED, "grace 0 works at the limit: {body}");
    assert_eq!(list(&srv, &dev).await["active_count"], 10);
}

#[tokio::test]
async fn refusals_name_their_reason() {
    let srv = TestServer::start().await;
    let dev = srv.user_with(DEV).await;
    let (secret, tok) = srv
        .mint(&dev, "Zapier", &["messages.read", "messages.write"], None)
        .await;
    let tid = id(&tok);

    for bad in [
        json!({"grace_seconds": 86_401}),
        json!({"grace_seconds": -1}),
        json!({"retire": "sometime"}),
        json!({"grace_seconds": 0, "admin": true}),
    ] {
        let (s, body) = rotate(&srv, &dev, &tid, bad.clone()).await;
        assert_error(
            s,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        );
    }
    // A PAT may not use the owner's rotation, even one holding every scope it needs.
    let (s, body) = srv
        .post(&format!("/v1/tokens/{tid}/rotate"), &secret, json!({}))
        .await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    // Someone else's token looks missing.
    let other = srv.user_with(DEV).await;
    let (s, body) = rotate(&srv, &other, &tid, json!({})).await;
    assert_error(s, &body, StatusCode::NOT_FOUND, "not_found");

    // The user lost a scope the token holds: 403 naming it, nothing changes.
    let admin = srv.admin().await;
    let (s, _) = srv
        .put(
            &format!("/v1/roles/{}", dev.role_id),
            &admin.session,
            json!({"permissions": ["developer.manage_tokens", "messages.read"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = rotate(&srv, &dev, &tid, json!({})).await;
    assert_error(s, &body, StatusCode::FORBIDDEN, "forbidden");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("m")
            .contains("messages.write"),
        "{body}"
    );
    assert_eq!(
        list(&srv, &dev).await["tokens"]
            .as_array()
            .expect("t")
            .len(),
        1
    );

    // A revoked token has nothing to rotate.
    srv.post(&format!("/v1/tokens/{tid}/revoke"), &dev.session, json!({}))
        .await;
    let (s, body) = rotate(&srv, &dev, &tid, json!({})).await;
    assert_error(s, &body, StatusCode::CONFLICT, "conflict");
}
