//! The one test kit of the workspace: real `keebai-server` processes for the server's
//! integration tests, the replica tests and the desktop's command-layer and window tests.
//!
//! * [`server`] — [`TestServer`]: `init` + `serve` on 127.0.0.1:0 over a fresh database (a
//!   SQLite file, or a scratch PostgreSQL database with `KEEBAI_TEST_ENGINE=postgres`), typed
//!   calls ([`TestServer::call`], [`Caller`]) and [`assert_error`] for the contract's errors.
//! * [`cluster`] — N replicas ([`replica`], `serve` processes) on one scratch PostgreSQL
//!   database, dropped when the test ends, with each replica's JSON log events readable by the
//!   test.
//! * [`demo`] — [`demo::DemoServer`]: `keebai-server demo`, the seeded tenant the desktop's
//!   tests sign in to, and [`demo::Http`], what a script or an admin does from outside.
//! * [`scratch`] — a scratch PostgreSQL database for a test that drives the store directly.
//! * [`process`] — starting a server and reading the address it prints.
//!
//! Every process's log and database live in a folder under `.test-artifacts/runs/`
//! ([`run_dir`]) that outlives the test, so the test command can scan all of them for leaked
//! secrets (`scripts/scan-secrets.sh`) before it deletes them. Replicas' logs are kept there
//! too, besides being read in memory.
//!
//! Which `keebai-server` runs: [`server_binary`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub mod cluster;
pub mod demo;
pub mod process;
pub mod replica;
pub mod scratch;
pub mod server;

pub use scratch::with_scratch_database;
pub use server::{
    assert_error, fresh_db_url, Caller, TestServer, ADMIN_EMAIL, ADMIN_PASSWORD, TENANT,
};

/// The workspace root (this crate lives in `crates/keebai-testkit`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// `target/debug/<name>` of `package`, brought up to date with `cargo build` first: a stale
/// binary would test old code (and cargo's check takes a second when nothing changed). With
/// `KEEBAI_E2E_NO_BUILD=1` whatever is there is used.
pub fn cargo_binary(package: &str, name: &str) -> PathBuf {
    let path = target_dir().join("debug").join(name);
    if !path.exists() || std::env::var_os("KEEBAI_E2E_NO_BUILD").is_none() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", package, "--bin", name])
            .current_dir(workspace_root())
            .status()
            .unwrap_or_else(|e| panic!("cannot run cargo to build {name}: {e}"));
        assert!(status.success(), "building {name} failed");
    }
    path
}

/// The `keebai-server` the tests start, in this order:
/// * `$KEEBAI_SERVER_BINARY` (the installed `/usr/bin/keebai-server` of a package test);
/// * `$CARGO_BIN_EXE_keebai-server`, which cargo sets when it runs keebai-server's own
///   integration tests: the binary built for this very run, with its features
///   (`fault-injection`);
/// * otherwise (the desktop's tests) `target/debug/keebai-server`, built first.
pub fn server_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var_os("KEEBAI_SERVER_BINARY")
            .or_else(|| std::env::var_os("CARGO_BIN_EXE_keebai-server"))
            .map(PathBuf::from)
            .unwrap_or_else(|| cargo_binary("keebai-server", "keebai-server"))
    })
    .clone()
}

/// [`server_binary`] as a `&str`, for `Command::new`.
pub fn bin() -> String {
    server_binary().to_string_lossy().into_owned()
}

/// A folder for one test's database and log under `.test-artifacts/runs/`. It is kept after
/// the test so that the test command can scan every database file and log of the whole run
/// for leaked secrets (`scripts/scan-secrets.sh`) before it deletes them.
pub fn run_dir() -> tempfile::TempDir {
    let root = workspace_root().join(".test-artifacts/runs");
    std::fs::create_dir_all(&root).expect("artifacts folder");
    let mut dir = tempfile::Builder::new()
        .prefix("server-")
        .tempdir_in(root)
        .expect("run dir");
    dir.disable_cleanup(true);
    dir
}

/// The admin URL of the test PostgreSQL (`KEEBAI_TEST_PG_URL`), or `None` after printing why
/// the test is skipped. With `KEEBAI_REQUIRE_PG=1` (the test command) a missing URL fails.
pub fn pg_admin_url(test: &str) -> Option<String> {
    match std::env::var("KEEBAI_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("KEEBAI_REQUIRE_PG").as_deref() != Ok("1"),
                "KEEBAI_REQUIRE_PG=1 but KEEBAI_TEST_PG_URL is not set: start PostgreSQL with \
                 scripts/pg.sh start and source .test-artifacts/pg.env"
            );
            eprintln!(
                "SKIPPED {test}: KEEBAI_TEST_PG_URL is not set (scripts/pg.sh start provides it)"
            );
            None
        }
    }
}
