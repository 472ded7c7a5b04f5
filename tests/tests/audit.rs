//! The Audit screen's views through the command layer (`AppService::audit_views`, what the
//! `audit_views` command calls) against a real `keebai-server demo`: the demo tenant's dozen
//! tokens, seeded with up to 290 days of history, fall into the views the rules say; with the
//! server stopped, a new launch computes the same views from the cache, marked offline; the
//! Stale setting moves the line and survives a relaunch.

use std::sync::Arc;

use keebai_e2e::{DemoServer, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, SignIn};
use keebai_keys::audit_rules::{AuditViewKind, DEFAULT_STALE_DAYS, MAX_STALE_DAYS};
use keebai_keys::dto::AuditReport;
use keebai_keys::session_vault::MemoryVault;

fn form(server: &str) -> SignIn {
    SignIn {
        server: server.to_owned(),
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
        password: keebai_api::wire::Password::new(DEVELOPER.1),
    }
}

/// The names of a view's tokens, in the view's order.
fn names(report: &AuditReport, kind: AuditViewKind) -> Vec<String> {
    let view = report
        .views
        .iter()
        .find(|v| v.kind == kind)
        .expect("every view is there");
    assert_eq!(view.count as usize, view.token_ids.len());
    view.token_ids
        .iter()
        .map(|id| {
            report
                .tokens
                .iter()
                .find(|t| &t.id == id)
                .expect("a view names tokens of the list")
                .name
                .clone()
        })
        .collect()
}

/// What the demo's developer has (crates/keebai-server/src/demo.rs): active tokens only — the
/// revoked "Old Zapier (rotated)", "Leaked laptop key", "Intern sandbox" and the expired
/// "Hackathon demo", "Q3 migration" are in no view, although they are old, unused or broad.
fn assert_demo_views(report: &AuditReport) {
    assert_eq!(report.tokens.len(), 12);
    assert_eq!(
        names(report, AuditViewKind::Stale),
        ["CRM import", "Analytics export"],
        "last used 120 and 33 days ago"
    );
    assert_eq!(names(report, AuditViewKind::NeverUsed), ["Local dev"]);
    assert_eq!(
        names(report, AuditViewKind::NoExpiration),
        ["Zapier production"]
    );
    assert_eq!(
        names(report, AuditViewKind::ExpiringSoon),
        ["n8n nightly sync"],
        "expires in 5 days"
    );
    assert_eq!(
        names(report, AuditViewKind::DueForRotation),
        ["Zapier production", "CRM import"],
        "200 and 150 days old, most overdue first"
    );
    assert_eq!(
        names(report, AuditViewKind::BroadScopes),
        [
            "Support inbox bot",
            "Token admin script",
            "Zapier production"
        ],
        "messages.write, developer.manage_tokens, messages.write"
    );
}

#[tokio::test]
async fn the_views_come_from_the_cache_and_work_with_the_server_stopped() {
    let mut server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());

    let first = AppService::new(dir.path(), vault.clone(), None).expect("service");
    // Nothing cached yet for this account: no report, and no call to the server either.
    first.sign_in(form(&server.url)).await.expect("sign in");
    let online_list = first.list_tokens().await.expect("list");
    let online = first
        .audit_views()
        .expect("audit")
        .expect("the list is cached");
    assert!(!online.offline);
    assert_eq!(online.stale_days, DEFAULT_STALE_DAYS);
    assert_eq!(online.fetched_at, online_list.fetched_at);
    assert_eq!(online.tokens, online_list.tokens);
    assert_demo_views(&online);
    drop(first);
    server.stop();

    // A launch with the server down: restored without the network, the views from the cache.
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    app.restore_session()
        .await
        .expect("restore needs no server")
        .expect("a session");
    assert!(app.sync().await.expect("offline is not an error").offline);
    let offline = app.audit_views().expect("audit").expect("cached");
    assert!(offline.offline);
    assert_eq!(offline.fetched_at, online.fetched_at, "data as of the sync");
    assert_eq!(offline.views, online.views);
    assert_demo_views(&offline);

    // The Stale setting moves the line (33 days unused is not stale at 40), is kept in range,
    // and is kept in settings.json for the next launch.
    assert_eq!(app.set_stale_days(40).expect("set"), 40);
    let at_40 = app.audit_views().expect("audit").expect("cached");
    assert_eq!(at_40.stale_days, 40);
    assert_eq!(names(&at_40, AuditViewKind::Stale), ["CRM import"]);
    assert_eq!(app.set_stale_days(0).expect("set"), 1);
    assert_eq!(app.set_stale_days(100_000).expect("set"), MAX_STALE_DAYS);
    assert_eq!(app.set_stale_days(40).expect("set"), 40);
    drop(app);
    let relaunched = AppService::new(dir.path(), vault, None).expect("service");
    assert_eq!(relaunched.config().expect("config").stale_days, 40);
    relaunched
        .restore_session()
        .await
        .expect("restore")
        .expect("a session");
    let again = relaunched.audit_views().expect("audit").expect("cached");
    assert_eq!(names(&again, AuditViewKind::Stale), ["CRM import"]);
}

#[tokio::test]
async fn no_report_before_a_list_is_cached_and_none_without_a_session() {
    let server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = AppService::new(dir.path(), Arc::new(MemoryVault::default()), None).expect("svc");
    let e = app.audit_views().expect_err("not signed in");
    assert_eq!(e.code, keebai_keys::error::ErrorCode::NotSignedIn);
    app.sign_in(form(&server.url)).await.expect("sign in");
    // Signed in, but the list has not been fetched: the screen says to sync.
    assert!(app.audit_views().expect("audit").is_none());
    app.list_tokens().await.expect("list");
    assert!(app.audit_views().expect("audit").is_some());
}
