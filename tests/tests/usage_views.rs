//! The usage-based Audit views and a token's detail panel through the command layer
//! (`list_tokens` syncs each working token's usage with the list; `audit_views`,
//! `token_detail`, `set_work_hours`) against a real `keebai-server demo`, whose developer has
//! a nightly sync (02:00–03:59 UTC every day) and a support bot used from a new address
//! yesterday; then, with the server stopped, a new launch shows the same from the cache.
//!
//! Off-hours are judged in the computer's time zone, so this file pins `TZ=UTC` (one test per
//! binary: nothing else reads the zone meanwhile) and the demo's UTC hours mean what they say.

use std::sync::Arc;

use keebai_e2e::{DemoServer, DEVELOPER, TENANT};
use keebai_keys::app_service::{AppService, SignIn};
use keebai_keys::audit_rules::AuditViewKind;
use keebai_keys::dto::AuditReport;
use keebai_keys::error::ErrorCode;
use keebai_keys::session_vault::MemoryVault;
use keebai_keys::usage_rules::WorkHours;

fn names(report: &AuditReport, kind: AuditViewKind) -> Vec<String> {
    let view = report
        .views
        .iter()
        .find(|v| v.kind == kind)
        .expect("the view is there");
    assert_eq!(view.count as usize, view.token_ids.len());
    view.token_ids
        .iter()
        .map(|id| {
            let t = report.tokens.iter().find(|t| &t.id == id).expect("listed");
            t.name.clone()
        })
        .collect()
}

fn id_of(report: &AuditReport, name: &str) -> String {
    report
        .tokens
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("{name} is listed"))
        .id
        .clone()
}

fn assert_usage_views(report: &AuditReport) {
    assert_eq!(
        names(report, AuditViewKind::NewAddress),
        ["Support inbox bot"],
        "only the bot met a new address (yesterday); every other address is older than a week"
    );
    let off = names(report, AuditViewKind::OffHours);
    assert_eq!(
        off.first().map(String::as_str),
        Some("n8n nightly sync"),
        "the nightly sync has by far the most off-hours uses: {off:?}"
    );
    assert!(
        !off.iter()
            .any(|n| n == "Analytics export" || n == "CRM import"),
        "its weekend runs and nights are over 30 days old: {off:?}"
    );
}

#[tokio::test]
async fn off_hours_and_new_addresses_from_the_synced_usage_also_offline() {
    std::env::set_var("TZ", "UTC");
    let mut server = DemoServer::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::default());
    let app = AppService::new(dir.path(), vault.clone(), None).expect("service");
    app.sign_in(SignIn {
        server: server.url.clone(),
        tenant: TENANT.to_owned(),
        email: DEVELOPER.0.to_owned(),
        password: keebai_api::wire::Password::new(DEVELOPER.1),
    })
    .await
    .expect("sign in");
    app.list_tokens().await.expect("a sync with usage");
    let online = app.audit_views().expect("audit").expect("cached");
    assert_eq!(online.views.len(), 8);
    assert_eq!(online.work_hours, WorkHours::default());
    assert_usage_views(&online);

    // The bot's panel: both addresses, the new one named; its uses by local weekday and hour.
    let bot = app
        .token_detail(&id_of(&online, "Support inbox bot"))
        .expect("detail");
    assert_eq!(bot.addresses.len(), 2, "{:?}", bot.addresses);
    assert_eq!(bot.new_addresses, ["198.51.100.23"]);
    let grid = bot.heat_map.as_ref().expect("usage was synced");
    assert_eq!((grid.len(), grid[0].len()), (7, 24));
    let total: u64 = grid.iter().flatten().sum();
    let office: u64 = grid[..5]
        .iter()
        .map(|day| day[8..18].iter().sum::<u64>())
        .sum();
    assert!(
        total > 0 && office * 10 >= total * 9,
        "office hours: {office} of {total}"
    );
    // The nightly sync: its uses sit at 02:00–03:59.
    let nightly = app
        .token_detail(&id_of(&online, "n8n nightly sync"))
        .expect("detail");
    let grid = nightly.heat_map.as_ref().expect("usage");
    let total: u64 = grid.iter().flatten().sum();
    let night: u64 = grid.iter().map(|day| day[2] + day[3]).sum();
    assert!(night * 10 >= total * 9, "nights: {night} of {total}");
    assert!(nightly.off_hours_uses.is_some_and(|n| n > 0));
    assert_eq!(nightly.history.len(), 1, "never rotated: itself");

    // Working hours: every hour of every day leaves nothing off-hours; an impossible range is
    // refused and changes nothing.
    let always = WorkHours {
        days: [true; 7],
        start_hour: 0,
        end_hour: 24,
    };
    let bad = WorkHours {
        start_hour: 18,
        end_hour: 8,
        ..WorkHours::default()
    };
    let refused = app.set_work_hours(bad).expect_err("impossible");
    assert_eq!(refused.code, ErrorCode::InvalidRequest);
    app.set_work_hours(always.clone()).expect("set");
    let all_day = app.audit_views().expect("audit").expect("cached");
    assert!(names(&all_day, AuditViewKind::OffHours).is_empty());
    app.set_work_hours(WorkHours::default()).expect("back");
    drop(app);

    // A launch with the server down: the same views and panels, from the cache.
    server.stop();
    let offline_app = AppService::new(dir.path(), vault, None).expect("service");
    offline_app
        .restore_session()
        .await
        .expect("restore needs no server")
        .expect("a session");
    assert!(offline_app.sync().await.expect("offline is fine").offline);
    let offline = offline_app.audit_views().expect("audit").expect("cached");
    assert!(offline.offline);
    assert_eq!(offline.views, online.views);
    assert_usage_views(&offline);
    let again = offline_app
        .token_detail(&id_of(&offline, "Support inbox bot"))
        .expect("detail offline");
    assert_eq!(again.new_addresses, bot.new_addresses);
    assert_eq!(again.heat_map, bot.heat_map);
    assert!(again.offline);
}
