//! Activity in the real window (tauri-driver + WebKitWebDriver under Xvfb) against a real
//! `keebai-server demo`: the developer's own trail, newest first, in people's words, with the
//! action filter and the search narrowing it.

use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{
    launch, link, screenshot, sign_in_to_api_keys, wait_for, wait_for_text,
};
use keebai_e2e::{DemoServer, DEVELOPER};

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// The Action column's words of the rows shown.
async fn actions(c: &Client) -> Vec<String> {
    let v = js(
        c,
        "return Array.from(document.querySelectorAll('#activity-table tbody tr.data-row'))\
           .map(r => r.children[1].textContent.trim())",
    )
    .await;
    serde_json::from_value(v).expect("strings")
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver and WebKitWebDriver: run scripts/test-desktop.sh"]
async fn activity_lists_the_users_own_trail_with_filter_and_search() {
    let server = DemoServer::demo();
    let http = server.http();
    let session = http.sign_in(DEVELOPER).await;
    assert_eq!(http.create_token(&session, "activity probe").await, 201);

    let data = tempfile::tempdir().expect("data dir");
    let log = data.path().join("driver-and-app.log");
    let (_driver, c) = launch(&data.path().join("app"), &server.url, &log).await;
    sign_in_to_api_keys(&c, DEVELOPER).await;

    link(&c, "Activity").await;
    wait_for_text(&c, "#main h2", "Activity").await;
    wait_for(&c, "#activity-table tr[data-action='token.created']").await;
    // Newest first: this window's own sign-in leads.
    let shown = actions(&c).await;
    assert_eq!(
        shown.first().map(String::as_str),
        Some("Signed in"),
        "{shown:?}"
    );
    assert!(shown.iter().any(|a| a == "Token created"), "{shown:?}");
    wait_for_text(
        &c,
        "#activity-table tr[data-action='token.created']",
        "activity probe",
    )
    .await;
    screenshot(&c, "19-activity").await;

    // The action filter, by its words.
    c.find(Locator::Css("#activity-action"))
        .await
        .expect("filter")
        .select_by_label("Token created")
        .await
        .expect("choose");
    let filtered = actions(&c).await;
    assert!(
        !filtered.is_empty() && filtered.iter().all(|a| a == "Token created"),
        "{filtered:?}"
    );

    // The search looks at what a row shows: nothing matches a word no row holds.
    c.find(Locator::Css("input[type=search]"))
        .await
        .expect("search")
        .send_keys("no such words anywhere")
        .await
        .expect("type");
    wait_for_text(&c, "#activity-table", "No activity matches.").await;
}
