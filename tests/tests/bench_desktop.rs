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
//! * With `KEEBAI_BENCH_SCROLL_ROWS=100000` (scripts/bench-desktop.sh sets it), then that many
//!   *cached* rows, the way an auditor meets them offline: the app quits, the server stops,
//!   the cached token list in `cache.db` is grown to that many records ([`grow_cached_list`](keebai_e2e::cached_list::grow_cached_list);
//!   minting them over HTTP would take about 40 minutes), and the app is launched with the
//!   session → the cached table's first rows painted (the page asks for a screenful first),
//!   then the table holding them all (read from the cache and sent over IPC, under the
//!   offline banner), the PSS with them listed, the frame times of a scroll
//!   through all of them ([`scroll_figures`]: 600 frames from the first row to the last, one
//!   step per animation frame; how many took over 16.7 ms, 18 ms or more, and over 33.3 ms;
//!   a 1 px a frame "nudge", where no row changes, is the yardstick), and the PSS after it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use keebai_e2e::cached_list::grow_cached_list;
use keebai_e2e::webdriver::{
    button, connect, sign_in, start_driver, wait_for, wait_for_text, Driver, WAIT,
};
use keebai_e2e::{DemoServer, DEVELOPER};

const ROWS: usize = 1_000;
/// The cached listing the scroll figures are taken with, from `$KEEBAI_BENCH_SCROLL_ROWS` (the
/// issue's figure is 100000); unset or 0, that part is skipped.
fn scroll_rows() -> usize {
    std::env::var("KEEBAI_BENCH_SCROLL_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

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

/// Mints tokens for the developer and revokes each at once (only 10 may be active, and the
/// listing holds every status) until the listing holds `rows`; as many in flight as there are
/// free slots under the limit (3 for the demo developer).
async fn seed_tokens(server: &DemoServer, rows: usize) {
    let http = server.http();
    let session = http.sign_in(DEVELOPER).await;
    let list = http.tokens(&session).await;
    let next = Arc::new(AtomicUsize::new(list.tokens.len()));
    // A minted token is active until its revoke: no more in flight than the free slots.
    let in_flight = list.active_limit.saturating_sub(list.active_count).max(1);
    let bearer = Arc::new(session.expose().to_owned());
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (client, base, next, bearer) = (
            http.client.clone(),
            http.base.clone(),
            next.clone(),
            bearer.clone(),
        );
        workers.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= rows {
                    return;
                }
                let created: serde_json::Value = client
                    .post(format!("{base}/v1/tokens"))
                    .bearer_auth(bearer.as_str())
                    .json(&serde_json::json!({"name": format!("bench {n}"), "scopes": ["messages.read"], "expires_at": null}))
                    .send()
                    .await
                    .expect("mint")
                    .json()
                    .await
                    .expect("minted json");
                let id = created["record"]["id"].as_str().expect("a minted token");
                let revoked = client
                    .post(format!("{base}/v1/tokens/{id}/revoke"))
                    .bearer_auth(bearer.as_str())
                    .send()
                    .await
                    .expect("revoke");
                assert_eq!(revoked.status(), 200);
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.expect("a seeding worker");
    }
}

/// Frames the page is scrolled through from the table's first row to its last: 10 s at 60 Hz.
const SCROLL_FRAMES: usize = 600;

/// How a timed pass moves the page, one step per animation frame ([`frame_times`]).
#[derive(Clone, Copy)]
enum Pass {
    /// Not at all: what a frame costs with the rows shown (the yardstick of this display).
    Idle,
    /// `px` a frame from the middle of the list: a mouse wheel or a held arrow key.
    Wheel(u32),
    /// From the first row to the last in the pass's frames: each frame a fresh set of rows.
    Fling,
}

/// The frame times of one pass of [`SCROLL_FRAMES`] animation frames over the token table (the
/// time between one frame's callback and the next: a step's scroll, the rows it brings into
/// the DOM, style, layout and paint), its row count, and the last row shown when it ended.
async fn frame_times(c: &Client, pass: Pass) -> (Vec<f64>, u64, u64) {
    let (mode, px) = match pass {
        Pass::Idle => ("idle", 0),
        Pass::Wheel(px) => ("wheel", px),
        Pass::Fling => ("fling", 0),
    };
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         const table = document.querySelector('table.tokens'); \
         const rows = Number(table.getAttribute('aria-rowcount')) - 1; \
         const rowHeight = parseFloat(getComputedStyle(table).getPropertyValue('--row-height')); \
         const top = table.querySelector('thead').getBoundingClientRect().bottom + window.scrollY; \
         const end = Math.max(top, top + rows * rowHeight - window.innerHeight); \
         const mid = (top + end) / 2; \
         const at = (i) => '{mode}' === 'fling' ? top + (end - top) * (i / {SCROLL_FRAMES}) \
           : '{mode}' === 'wheel' ? mid + {px} * i : mid; \
         window.scrollTo(0, at(0)); \
         const times = []; let prev = null; let i = 0; \
         const step = (t) => {{ \
           if (prev !== null) times.push(t - prev); \
           prev = t; \
           if (i > {SCROLL_FRAMES}) {{ \
             const shown = table.querySelectorAll('tbody tr.data-row'); \
             const last = shown[shown.length - 1]; \
             done({{ rows, times, last: Number(last && last.getAttribute('aria-rowindex')) - 1 }}); \
             return; \
           }} \
           window.scrollTo(0, at(i)); i += 1; \
           requestAnimationFrame(step); \
         }}; \
         requestAnimationFrame(() => requestAnimationFrame(step));"
    );
    let answer = c.execute_async(&script, vec![]).await.expect("scroll");
    let times = answer["times"]
        .as_array()
        .expect("frame times")
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    (
        times,
        answer["rows"].as_u64().expect("rows"),
        answer["last"].as_u64().unwrap_or(0),
    )
}

fn report_frames(name: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!("BENCH {name}_frames {}", times.len());
    println!("BENCH {name}_frame_p50_ms {:.1}", at(0.5));
    println!("BENCH {name}_frame_p95_ms {:.1}", at(0.95));
    println!("BENCH {name}_frame_max_ms {:.1}", at(1.0));
    println!(
        "BENCH {name}_frames_over_16_7_ms {}",
        times.iter().filter(|t| **t > 1000.0 / 60.0).count()
    );
    // WebKit's frame times here are whole milliseconds: a frame on time reads 16 or 17.
    println!(
        "BENCH {name}_frames_18_ms_or_more {}",
        times.iter().filter(|t| **t >= 18.0).count()
    );
    println!(
        "BENCH {name}_frames_over_33_3_ms {}",
        times.iter().filter(|t| **t > 1000.0 / 30.0).count()
    );
}

/// Three timed passes over the cached rows: idle (the display's own frame time), a wheel-like
/// scroll of 3 rows a frame, and the fling from the first row to the last; then the PSS.
async fn scroll_figures(c: &Client, pid: u32) {
    // WebDriver's default 30 s script timeout is too short for slow frames (seen at 100,000
    // rows: the 600 steps did not finish in 30 s); slow frames are the figure, not an error.
    c.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
        Some(Duration::from_secs(600)),
        None,
        Some(Duration::ZERO),
    ))
    .await
    .expect("script timeout");
    let (idle, _, _) = frame_times(c, Pass::Idle).await;
    report_frames("idle", idle);
    // The page moves but no row enters or leaves: the yardstick for the wheel's misses, which
    // measured about the same (2026-12-03: 9-33 of 600 frames against 7-43 at 10-126 px).
    let (nudge, _, _) = frame_times(c, Pass::Wheel(1)).await;
    report_frames("nudge", nudge);
    let (wheel, _, _) = frame_times(c, Pass::Wheel(3 * 42)).await;
    report_frames("wheel", wheel);
    let (fling, rows, last) = frame_times(c, Pass::Fling).await;
    assert_eq!(last, rows, "the scroll reached the last row");
    println!("BENCH scroll_rows {rows}");
    report_frames("scroll", fling);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (kib, _) = pss_tree_kib(pid);
    println!("BENCH pss_after_scroll_mib {:.1}", kib as f64 / 1024.0);
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

/// The table holds at least `rows` rows (`aria-rowcount` counts the header row too) and shows
/// its first ones; it is virtualised, so only the rows in view are in the DOM.
fn table_holds(rows: usize) -> String {
    format!(
        "(() => {{ const t = document.querySelector('table.tokens'); \
           return t && Number(t.getAttribute('aria-rowcount')) > {rows} \
             && t.querySelector('tbody tr.data-row') !== null; }})()"
    )
}

#[tokio::test]
#[ignore = "a benchmark: run scripts/bench-desktop.sh"]
async fn startup_and_memory_figures() {
    let exe: PathBuf = std::fs::canonicalize(keebai_e2e::app_binary()).expect("app binary");
    let mut server = DemoServer::demo();
    seed_tokens(&server, ROWS).await;
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
    painted(&c, &table_holds(ROWS)).await;
    // Let the WebKit processes finish what the listing started before reading memory.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rows = c
        .find(Locator::Css("table.tokens"))
        .await
        .expect("table")
        .attr("aria-rowcount")
        .await
        .expect("aria-rowcount")
        .and_then(|n| n.parse::<usize>().ok())
        .expect("a row count")
        - 1;
    let (kib, procs) = pss_tree_kib(pid);
    println!("BENCH rows_listed {rows}");
    println!("BENCH pss_after_sign_in_mib {:.1}", kib as f64 / 1024.0);
    println!("BENCH processes {procs}");
    quit(c, driver, &exe).await;

    // The session restored from the keyring: straight to the table.
    let driver = start_driver(&app_data, &server.url, &log);
    let c = connect(&driver, &exe).await;
    let (_, started) = app_process(&exe);
    let at = painted(&c, &table_holds(ROWS)).await;
    println!("BENCH launch_to_table_ms {:.0}", (at - started) * 1000.0);
    wait_for(&c, "#active-counter").await;
    let big = scroll_rows();
    let (c, driver) = if big > ROWS {
        quit(c, driver, &exe).await;
        // The big listing, offline: the server gone, the session restored from the keyring
        // and the list from the cache.
        server.stop();
        grow_cached_list(&app_data, big);
        let driver = start_driver(&app_data, &server.url, &log);
        let c = connect(&driver, &exe).await;
        let (pid, started) = app_process(&exe);
        // The first screen: the list's first rows, painted while the rest is read.
        let at = painted(
            &c,
            "document.querySelector('table.tokens tbody tr.data-row') !== null",
        )
        .await;
        println!(
            "BENCH launch_to_big_table_first_rows_ms {:.0}",
            (at - started) * 1000.0
        );
        let at = painted(&c, &table_holds(big)).await;
        println!(
            "BENCH launch_to_big_table_ms {:.0}",
            (at - started) * 1000.0
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        let (kib, _) = pss_tree_kib(pid);
        println!("BENCH pss_big_listed_mib {:.1}", kib as f64 / 1024.0);
        scroll_figures(&c, pid).await;
        // Back online, so Sign out below ends the session on the server too.
        server.serve_again();
        (c, driver)
    } else {
        (c, driver)
    };
    button(&c, "Sign out")
        .await
        .click()
        .await
        .expect("sign out");
    wait_for(&c, "#server").await;
    quit(c, driver, &exe).await;
}
