//! `keebai-server demo` seeds accounts whose passwords are printed and published, so it must
//! never seed a database in use: it ignores `KEEBAI_DB` and refuses a `--db` that holds a
//! tenant.

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
