//! The security admin's desk through the app's command layer (`AppService::list_inventory`,
//! `admin_revoke_token`, `bulk_revoke_tokens`, `set_user_disabled`) against a real
//! `keebai-server demo`: every user's tokens with their owners, a revoke with a reason that
//! the owner's Activity shows, a bulk revoke whose preview changes nothing and whose revoke
//! takes exactly what was previewed, the cached copy offline, and a disabled user.

use keebai_api::wire::TokenStatus;
use keebai_e2e::{app_signed_in, DemoServer, ADMIN, DEVELOPER, MEMBER};
use keebai_keys::error::ErrorCode;

#[tokio::test]
async fn every_users_tokens_and_a_revoke_with_a_reason_the_owner_sees() {
    let server = DemoServer::demo();
    let (admin, _a) = app_signed_in(&server, ADMIN).await;
    let (dev, _d) = app_signed_in(&server, DEVELOPER).await;

    let view = admin.list_inventory().await.expect("inventory");
    assert!(!view.offline && view.complete);
    // The Audit views, tenant-wide: No expiration holds exactly the working tokens without an
    // expiry, whoever owns them.
    assert_eq!(view.views.len(), 6);
    let no_expiry = view
        .views
        .iter()
        .find(|v| format!("{:?}", v.kind) == "NoExpiration")
        .expect("the No expiration view");
    let mut want: Vec<&str> = view
        .tokens
        .iter()
        .filter(|t| t.record.status == TokenStatus::Active && t.record.expires_at.is_none())
        .map(|t| t.record.id.as_str())
        .collect();
    let mut got: Vec<&str> = no_expiry.token_ids.iter().map(String::as_str).collect();
    want.sort_unstable();
    got.sort_unstable();
    assert!(!want.is_empty(), "the demo has unexpiring tokens");
    assert_eq!(got, want);
    assert_eq!(no_expiry.count as usize, want.len());
    let devs: Vec<_> = view
        .tokens
        .iter()
        .filter(|t| t.owner.email == DEVELOPER.0)
        .collect();
    assert!(
        !devs.is_empty(),
        "the developer's tokens are in the tenant's inventory"
    );
    let own = dev.list_tokens().await.expect("own list");
    assert_eq!(devs.len(), own.tokens.len(), "all of them");
    let target = devs
        .iter()
        .find(|t| t.record.status == TokenStatus::Active)
        .expect("an active one")
        .record
        .clone();

    let revoked = admin
        .admin_revoke_token(&target.id, "  Laptop stolen  ")
        .await
        .expect("revoked");
    assert_eq!(revoked.status, TokenStatus::Revoked);
    // The owner's list says so, and their Activity says who and why.
    let own = dev.list_tokens().await.expect("own list");
    let mine = own
        .tokens
        .iter()
        .find(|t| t.id == target.id)
        .expect("still listed");
    assert_eq!(mine.status, TokenStatus::Revoked);
    let activity = dev.list_activity().await.expect("activity");
    let event = activity
        .events
        .iter()
        .find(|e| e.action == "token.revoked" && e.target.as_deref() == Some(target.id.as_str()))
        .expect("the revoke in the owner's activity");
    assert_eq!(
        event.detail.as_ref().and_then(|d| d.reason.as_deref()),
        Some("Laptop stolen"),
        "the reason, trimmed"
    );
    assert_ne!(event.actor.as_deref(), Some(mine.id.as_str()));

    // A reason is required.
    let other = devs
        .iter()
        .find(|t| t.record.status == TokenStatus::Active && t.record.id != target.id)
        .expect("another active one");
    let e = admin
        .admin_revoke_token(&other.record.id, "   ")
        .await
        .expect_err("no reason");
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e:?}");
}

#[tokio::test]
async fn a_bulk_revoke_previews_without_change_then_revokes_exactly_that() {
    let server = DemoServer::demo();
    let (admin, _a) = app_signed_in(&server, ADMIN).await;
    let view = admin.list_inventory().await.expect("inventory");
    let active: Vec<String> = view
        .tokens
        .iter()
        .filter(|t| t.owner.email == DEVELOPER.0 && t.record.status == TokenStatus::Active)
        .map(|t| t.record.id.clone())
        .collect();
    assert!(active.len() >= 2, "the demo developer has active tokens");

    let preview = admin
        .bulk_revoke_tokens(active.clone(), "rotation audit", true)
        .await
        .expect("dry run");
    assert!(preview.dry_run);
    // A dry run's count is what would be revoked.
    assert_eq!(preview.revoked as usize, active.len());
    let mut previewed: Vec<String> = preview.tokens.iter().map(|t| t.record.id.clone()).collect();
    previewed.sort();
    let mut want = active.clone();
    want.sort();
    assert_eq!(
        previewed, want,
        "the preview names exactly the chosen working tokens"
    );
    let still = admin.list_inventory().await.expect("inventory");
    assert!(
        still
            .tokens
            .iter()
            .filter(|t| active.contains(&t.record.id))
            .all(|t| t.record.status == TokenStatus::Active),
        "a dry run changes nothing"
    );

    let done = admin
        .bulk_revoke_tokens(previewed.clone(), "rotation audit", false)
        .await
        .expect("revoked");
    assert!(!done.dry_run);
    assert_eq!(done.revoked as usize, previewed.len());
    let after = admin.list_inventory().await.expect("inventory");
    assert!(after
        .tokens
        .iter()
        .filter(|t| active.contains(&t.record.id))
        .all(|t| t.record.status == TokenStatus::Revoked));

    // Over the server's ceiling: refused before anything is sent.
    let many: Vec<String> = (0..1001).map(|n| format!("id-{n}")).collect();
    let e = admin
        .bulk_revoke_tokens(many, "too many", true)
        .await
        .expect_err("too many");
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e:?}");
    assert!(e.message.contains("1000"), "{}", e.message);
}

#[tokio::test]
async fn the_inventory_is_kept_for_offline_audit_and_follows_a_revoke() {
    let mut server = DemoServer::demo();
    let (admin, _a) = app_signed_in(&server, ADMIN).await;
    let view = admin.list_inventory().await.expect("inventory");
    let target = view
        .tokens
        .iter()
        .find(|t| t.record.status == TokenStatus::Active)
        .expect("an active token")
        .record
        .id
        .clone();
    admin
        .admin_revoke_token(&target, "offboarding")
        .await
        .expect("revoked");
    server.stop();
    let cached = admin.list_inventory().await.expect("the cached copy");
    assert!(cached.offline);
    assert_eq!(cached.views.len(), 6, "the Audit views offline too");
    assert_eq!(cached.tokens.len(), view.tokens.len());
    let t = cached
        .tokens
        .iter()
        .find(|t| t.record.id == target)
        .expect("listed");
    assert_eq!(
        t.record.status,
        TokenStatus::Revoked,
        "the cache follows the server's answer"
    );
    let e = admin
        .admin_revoke_token(&target, "again")
        .await
        .expect_err("offline");
    assert_eq!(e.code, ErrorCode::ServerUnreachable, "{e:?}");
}

#[tokio::test]
async fn without_audit_tokens_the_inventory_is_forbidden() {
    let server = DemoServer::demo();
    let (member, _m) = app_signed_in(&server, MEMBER).await;
    let e = member.list_inventory().await.expect_err("forbidden");
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
    let e = member
        .bulk_revoke_tokens(vec!["x".to_owned()], "why", true)
        .await
        .expect_err("forbidden");
    assert_eq!(e.code, ErrorCode::Forbidden, "{e:?}");
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_their_tokens_revoked_and_enabling_brings_only_sign_in_back()
{
    let server = DemoServer::demo();
    let http = server.http();
    let (admin, _a) = app_signed_in(&server, ADMIN).await;
    let (dev, _d) = app_signed_in(&server, DEVELOPER).await;
    let users = admin.list_users().await.expect("users");
    let dev_user = users
        .users
        .iter()
        .find(|u| u.email == DEVELOPER.0)
        .expect("developer")
        .clone();
    assert!(!dev_user.disabled);

    let disabled = admin
        .set_user_disabled(&dev_user.id, true)
        .await
        .expect("disabled");
    assert!(disabled.disabled);
    // The developer's open session is over.
    let e = dev.list_tokens().await.expect_err("signed out");
    assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
    let view = admin.list_inventory().await.expect("inventory");
    let theirs: Vec<_> = view
        .tokens
        .iter()
        .filter(|t| t.owner.email == DEVELOPER.0)
        .collect();
    assert!(theirs
        .iter()
        .all(|t| t.owner_disabled && t.record.status != TokenStatus::Active));

    let enabled = admin
        .set_user_disabled(&dev_user.id, false)
        .await
        .expect("enabled");
    assert!(!enabled.disabled);
    let session = http.sign_in(DEVELOPER).await;
    let own = http.tokens(&session).await;
    assert_eq!(own.active_count, 0, "no token came back");

    // Nobody disables themselves out of the last admin seat.
    let me = users
        .users
        .iter()
        .find(|u| u.email == ADMIN.0)
        .expect("admin");
    let e = admin
        .set_user_disabled(&me.id, true)
        .await
        .expect_err("last admin");
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
}
