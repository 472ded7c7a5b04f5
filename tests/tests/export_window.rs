//! **Export** in the real window (tauri-driver + WebKitWebDriver under Xvfb) against a real
//! `keebai-server demo`: API Keys filtered by a search → Export → CSV → Save… → the native GTK
//! save dialog (driven like a person would, with real key presses from xdotool) → the file holds
//! exactly the rows shown, with the time and the filter; then JSON the same way.

use std::path::Path;

use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{
    button, launch, save_in_native_dialog, sign_in_to_api_keys, type_into, wait_for_text,
    wait_until_gone,
};
use keebai_e2e::{DemoServer, DEVELOPER};

async fn export(c: &Client, format_label: &str, path: &Path) {
    button(c, "Export").await.click().await.expect("export");
    wait_for_text(c, "[role=dialog]", "Export").await;
    c.find(Locator::XPath(&format!(
        "//label[span='{format_label}']/input"
    )))
    .await
    .expect("format")
    .click()
    .await
    .expect("choose");
    button(c, "Save…").await.click().await.expect("save");
    let p = path.to_owned();
    tokio::task::spawn_blocking(move || save_in_native_dialog("Export", &p))
        .await
        .expect("typing");
    wait_until_gone(c, "[role=dialog]").await;
    wait_for_text(c, "#export-status", &path.display().to_string()).await;
}

#[tokio::test]
#[ignore = "needs Xvfb, D-Bus + gnome-keyring, tauri-driver, WebKitWebDriver and xdotool: run scripts/test-desktop.sh"]
async fn api_keys_export_writes_the_rows_shown_as_csv_and_json() {
    let server = DemoServer::demo();
    let http = server.http();
    let session = http.sign_in(DEVELOPER).await;
    for name in ["export probe one", "export probe, two", "=cmd probe"] {
        assert_eq!(http.create_token(&session, name).await, 201);
    }
    let data = tempfile::tempdir().expect("data dir");
    let out = tempfile::tempdir().expect("export dir");
    let log = data.path().join("driver-and-app.log");
    let (_driver, c) = launch(&data.path().join("app"), &server.url, &log).await;
    sign_in_to_api_keys(&c, DEVELOPER).await;

    // The view: a search that leaves the three probes.
    type_into(&c, "#search", "probe").await;
    wait_for_text(&c, "table.tokens", "=cmd probe").await;
    let shown = c
        .find(Locator::Css("table.tokens"))
        .await
        .expect("table")
        .attr("aria-rowcount")
        .await
        .expect("count")
        .and_then(|n| n.parse::<usize>().ok())
        .expect("a number")
        - 1;
    assert_eq!(shown, 3);

    let csv_path = out.path().join("keys.csv");
    export(&c, "CSV, for spreadsheets", &csv_path).await;
    let csv = std::fs::read_to_string(&csv_path).expect("the CSV file");
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + shown, "{csv}");
    assert!(lines[0].starts_with(
        "Name,Prefix,Scopes,Created,Last used,Expires,Revoked,Status,Data as of,Filter"
    ));
    assert!(csv.contains("\"export probe, two\""), "{csv}");
    assert!(
        csv.contains("'=cmd probe"),
        "a formula is neutralised: {csv}"
    );
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.ends_with("Search: probe; Status: All")),
        "{csv}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&csv_path)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // JSON, typed without its extension: it is added.
    export(&c, "JSON, for scripts", &out.path().join("keys")).await;
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("keys.json")).expect("the JSON file"),
    )
    .expect("JSON");
    assert_eq!(doc["view"], "API Keys");
    assert_eq!(doc["count"], shown);
    assert_eq!(doc["filter"]["Search"], "probe");
    let names: Vec<&str> = doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert!(
        names.contains(&"=cmd probe") && names.contains(&"export probe, two"),
        "{names:?}"
    );
}
