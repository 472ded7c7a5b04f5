//! `keebai-server demo` seeds accounts whose passwords are printed and published, so it must
//! never seed a database in use: it ignores `KEEBAI_DB` and refuses a `--db` that holds a
//! tenant. What it removes when it stops is its own throwaway folder, never the folder of a
//! `--db` the user named (even one called `demo.db` in the temporary directory).

use keebai_testkit as support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn init_real_db(dir: &std::path::Path) -> String {
    let url = format!("sqlite://{}", dir.join("real.db").display());
    let status = Command::new(support::bin())
        .args([
            "init",
            "--db",
            &url,
            "--tenant",
            "prod",
            "--admin-email",
            "ceo@prod.test",
        ])
        .env("KEEBAI_ADMIN_PASSWORD", "a-real-admin-password")
        .stdout(Stdio::null())
        .status()
        .expect("init");
    assert!(status.success());
    url
}

fn tenants_in(url: &str) -> Vec<String> {
    let path = url.strip_prefix("sqlite://").expect("sqlite");
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut stmt = conn
        .prepare("SELECT slug FROM tenants ORDER BY slug")
        .expect("sql");
    let slugs = stmt
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<Vec<String>, _>>()
        .expect("rows");
    slugs
}

#[test]
fn demo_ignores_keebai_db() {
    let dir = tempfile::tempdir().expect("dir");
    let real = init_real_db(dir.path());
    let mut child = Command::new(support::bin())
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env("KEEBAI_DB", &real)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = String::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("listening on") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(printed.contains("listening on"), "{printed}");
    assert!(
        !printed.contains("real.db"),
        "seeded the real database: {printed}"
    );
    assert_eq!(
        tenants_in(&real),
        ["prod"],
        "the real database is untouched"
    );
}

#[test]
fn demo_refuses_a_database_that_holds_a_tenant() {
    let dir = tempfile::tempdir().expect("dir");
    let real = init_real_db(dir.path());
    let out = Command::new(support::bin())
        .args(["demo", "--listen", "127.0.0.1:0", "--db", &real])
        .output()
        .expect("demo");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already holds tenants"), "{err}");
    assert!(err.contains("published passwords"), "says why: {err}");
    assert_eq!(tenants_in(&real), ["prod"]);
}

/// Starts `keebai-server demo` with `args`, waits until it listens, stops it with SIGTERM (the
/// graceful path, where clean-up runs) and returns what it printed.
fn demo_until_stopped(args: &[&str]) -> String {
    let mut child = Command::new(support::bin())
        .arg("demo")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo");
    let mut printed = String::new();
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let line = line.expect("line");
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("listening on") {
            break;
        }
    }
    assert!(printed.contains("listening on"), "{printed}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "a graceful stop: {exit:?}");
    printed
}

#[test]
fn demo_keeps_the_folder_of_a_db_it_was_given_and_removes_only_its_own() {
    // A --db named demo.db inside the temporary directory, beside a file of the user's.
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("demo.db");
    let mine = dir.path().join("keep.txt");
    std::fs::write(&mine, "the user's").expect("write");
    let url = format!("sqlite://{}", db.display());
    demo_until_stopped(&["--listen", "127.0.0.1:0", "--db", &url]);
    assert!(mine.exists(), "the user's file beside --db was removed");
    assert_eq!(tenants_in(&url), ["acme"], "the seeded database is kept");

    // Without --db: a fresh folder of its own, gone once the demo has stopped.
    let printed = demo_until_stopped(&["--listen", "127.0.0.1:0"]);
    let own = printed
        .lines()
        .find_map(|l| l.split(" in sqlite://").nth(1))
        .map(std::path::PathBuf::from)
        .expect("the demo says where its database is");
    let folder = own.parent().expect("its folder");
    assert!(
        folder.starts_with(std::env::temp_dir()) && folder != std::env::temp_dir(),
        "{}",
        folder.display()
    );
    assert!(!folder.exists(), "its throwaway folder is removed");
}
