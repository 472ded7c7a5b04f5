//! Starting a `keebai-server` that listens on port 0 and learning its address: the server
//! prints `listening on http://…` as its first line on stdout once the socket is bound.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long a server may take to print its address (a cold start on a busy 2-core machine
/// with migrations on PostgreSQL takes seconds, not a minute).
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Spawns `command` with stdout piped and waits for its address. stdout is drained by a thread
/// for the process's whole life (so nothing it prints later can block it); stderr is whatever
/// the caller set up, and `on_spawn` may take it (a piped stderr must be read from the start).
/// On a timeout the process is killed and `describe()` says what it logged.
pub fn spawn_listening(
    mut command: Command,
    on_spawn: impl FnOnce(&mut Child),
    describe: impl FnOnce() -> String,
) -> (Child, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start keebai-server (scripts/test.sh builds it)");
    on_spawn(&mut child);
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    match rx.recv_timeout(START_TIMEOUT) {
        Ok(url) => (child, url),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "keebai-server did not print its address within {START_TIMEOUT:?}; it logged:\n{}",
                describe()
            );
        }
    }
}
