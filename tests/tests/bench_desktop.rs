//! Start-up and memory figures of one app build (`$KEEBAI_APP_BINARY`), for
//! `scripts/bench-desktop.sh`, which runs it for the release and the debug build and writes
//! docs/benchmarks.md's table. Not a test: it asserts only that the screens appear, and prints
//! `BENCH name value` lines.
//!
//! * launch → sign-in form painted: from the app process's start (its start time in
//!   /proc/PID/stat, on the boot clock /proc/uptime also reads) to the moment a WebDriver
//!   script saw `#server` and two animation frames had passed after it, i.e. a frame with the
//!   form was painted. WebDriver's session set-up lies in between, so this is an upper bound.
//! * launch with a session in the keyring → the API Keys table painted, the same way, until
//!   the table holds every row.
//! * PSS of the app and every process under it (WebKit's web and network processes), from
//!   /proc/PID/smaps_rollup, after sign-in with 1,000 tokens listed (the user's listing holds
//!   every status, so 1,000 are minted and all but the demo's revoked again: 10 may be active).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use keebai_e2e::webdriver::{
    button, connect, sign_in, start_driver, wait_for, wait_for_text, Driver, WAIT,
};
use keebai_e2e::{TestServer, DEVELOPER};

const ROWS: usize = 1_000;

/// Seconds since boot, as /proc/uptime counts them (the clock of /proc/PID/stat's start time).
fn uptime() -> f64 {
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .expect("/proc/uptime")
}

/// (pid, parent pid, start time in seconds since boot) of every process.
fn processes() -> Vec<(u32, u32, f64)> {
    let ticks = 100.0; // USER_HZ on Linux
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // Fields after the command name, which is in parentheses and may hold spaces.
            let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let ppid = rest.get(1)?.parse().ok()?;
            let start: f64 = rest.get(19)?.parse().ok()?;
            Some((pid, ppid, start / ticks))
        })
        .collect()
}

/// The newest process running `exe`, and its start time.
fn app_process(exe: &Path) -> (u32, f64) {
    let deadline = Instant::now() + WAIT;
    loop {
        let newest = processes()
            .into_iter()
            .filter(|(pid, _, _)| {
                std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe)
            })
            .max_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((pid, _, start)) = newest {
            return (pid, start);
        }
        assert!(Instant::now() < deadline, "no {} process", exe.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Summed PSS in KiB of `root` and every process under it.
fn pss_tree_kib(root: u32) -> (u64, usize) {
    let all = processes();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(all.iter().filter(|p| p.1 == parent).map(|p| p.0));
        i += 1;
    }
    let kib = tree
        .iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok())
        .filter_map(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .sum();
    (kib, tree.len())
}

/// Waits until `ready` (a JS expression) holds, then two animation frames; returns the
/// boot-clock time at which the script answered.
async fn painted(c: &Client, ready: &str) -> f64 {
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         const check = () => ({ready}) \
           ? requestAnimationFrame(() => requestAnimationFrame(() => done(true))) \
           : setTimeout(check, 5); \
         check();"
    );
    let deadline = Instant::now() + WAIT;
    loop {
        if c.execute_async(&script, vec![]).await.is_ok() {
            return uptime();
        }
        // The script timed out (WebDriver's default is 30 s) or the page was not there yet.
        assert!(Instant::now() < deadline, "never ready: {ready}");
    }
}

async fn seed_tokens(server: &TestServer) {
    let http = server.http();
    let session = http.sign_in(DEVELOPER).await;
    let mut count = http.tokens(&session).await.tokens.len();
    while count < ROWS {
        let created: serde_json::Value = http
            .client
            .post(format!("{}/v1/tokens", http.base))
            .bearer_auth(session.expose())
            .json(&serde_json::json!({"name": format!("bench {count}"), "scopes": ["messages.read"], "expires_at": null}))
            .send()
            .await
            .expect("mint")
            .json()
            .await
            .expect("minted json");
        let id = created["record"]["id"].as_str().expect("a minted token");
        let revoked = http
            .client
            .post(format!("{}/v1/tokens/{id}/revoke", http.base))
            .bearer_auth(session.expose())
            .send()
            .await
            .expect("revoke");
        assert_eq!(revoked.status(), 200);
        count += 1;
    }
}

async fn quit(c: Client, driver: Driver, exe: &Path) {
    c.close().await.expect("quit");
    drop(driver);
    let deadline = Instant::now() + WAIT;
    while processes()
        .iter()
        .any(|(pid, _, _)| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe))
    {
        assert!(Instant::now() < deadline, "the app did not quit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const TABLE_FULL: &str = "document.querySelectorAll('table.tokens tbody tr').length >= 1000";

#[tokio::test]
#[ignore = "a benchmark: run scripts/bench-desktop.sh"]
async fn startup_and_memory_figures() {
    let exe: PathBuf = std::fs::canonicalize(keebai_e2e::app_binary()).expect("app binary");
    let server = TestServer::demo();
    seed_tokens(&server).await;
    let data = tempfile::tempdir().expect("data dir");
    let (app_data, log) = (data.path().join("app"), data.path().join("driver.log"));

    // Cold data folder: the sign-in form.
    let driver = start_driver(&app_data, &server.url, &log);
    let c = connect(&driver, &exe).await;
    let (pid, started) = app_process(&exe);
    let at = painted(&c, "document.getElementById('server')").await;
    println!("BENCH launch_to_sign_in_ms {:.0}", (at - started) * 1000.0);
    sign_in(&c, DEVELOPER).await;
    button(&c, "Sign in").await.click().await.expect("sign in");
    wait_for_text(&c, "#active-counter", "of 10 active").await;
    painted(&c, TABLE_FULL).await;
    // Let the WebKit processes finish what the listing started before reading memory.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rows = c
        .find_all(Locator::Css("table.tokens tbody tr"))
        .await
        .expect("rows")
        .len();
    let (kib, procs) = pss_tree_kib(pid);
    println!("BENCH rows_listed {rows}");
    println!("BENCH pss_after_sign_in_mib {:.1}", kib as f64 / 1024.0);
    println!("BENCH processes {procs}");
    quit(c, driver, &exe).await;

    // The session restored from the keyring: straight to the table.
    let driver = start_driver(&app_data, &server.url, &log);
    let c = connect(&driver, &exe).await;
    let (_, started) = app_process(&exe);
    let at = painted(&c, TABLE_FULL).await;
    println!("BENCH launch_to_table_ms {:.0}", (at - started) * 1000.0);
    wait_for(&c, "#active-counter").await;
    button(&c, "Sign out")
        .await
        .click()
        .await
        .expect("sign out");
    wait_for(&c, "#server").await;
    quit(c, driver, &exe).await;
}
