//! [`Replica`]: one `keebai-server serve` process of a [`crate::cluster::Cluster`], its JSON log
//! events read into memory as they come (and written to a log file for the secret scan).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::cluster::{CACHE_IN_SYNC, CACHE_STARTED};
use crate::process::spawn_listening;
use crate::{bin, run_dir};

/// A running `keebai-server serve` process.
pub struct Replica {
    pub name: &'static str,
    pub base: String,
    pub child: Mutex<Child>,
    /// stderr, one JSON log event per line.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Replica {
    pub fn spawn(name: &'static str, db_url: &str) -> Self {
        Self::spawn_with_env(name, db_url, &[])
    }

    /// [`Replica::spawn`] with extra environment variables (fault injection).
    pub fn spawn_with_env(name: &'static str, db_url: &str, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(bin());
        command
            .args(["serve", "--db", db_url, "--listen", "127.0.0.1:0"])
            .env("KEEBAI_LOG_FORMAT", "json")
            // Debug for the flush events test (d) reads; the rest stays at info.
            .env("RUST_LOG", "info,keebai_server::domain::usage=debug")
            .env_remove("KEEBAI_DB")
            .env_remove("KEEBAI_LISTEN")
            .envs(env.iter().copied())
            .stderr(Stdio::piped());
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        let mut file = std::fs::File::create(run_dir().path().join(format!("replica-{name}.log")))
            .expect("replica log file");
        let read_stderr = move |child: &mut Child| {
            let stderr = child.stderr.take().expect("stderr");
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let _ = writeln!(file, "{line}");
                    sink.lock().expect("log lock").push(line);
                }
            });
        };
        let lines = Arc::clone(&log);
        let (child, base) = spawn_listening(command, read_stderr, move || {
            lines.lock().expect("log lock").join("\n")
        });
        Self {
            name,
            base,
            child: Mutex::new(child),
            log,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn log_len(&self) -> usize {
        self.log.lock().expect("log lock").len()
    }

    /// Parsed log events from index `from` on.
    pub fn events_since(&self, from: usize) -> Vec<Value> {
        self.log.lock().expect("log lock")[from..]
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits until a log event with `message` appears at or after `from`.
    pub async fn wait_for_event(&self, from: usize, message: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            if let Some(e) = self
                .events_since(from)
                .into_iter()
                .find(|e| e["message"] == message)
            {
                return e;
            }
            assert!(
                Instant::now() < deadline,
                "replica {}: no `{message}` log event within {within:?}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until this replica's credential cache is in sync (it starts on the first
    /// authenticated request) and returns its replica id.
    pub async fn cache_in_sync(&self) -> String {
        let started = self
            .wait_for_event(0, CACHE_STARTED, Duration::from_secs(10))
            .await;
        self.wait_for_event(0, CACHE_IN_SYNC, Duration::from_secs(10))
            .await;
        started["replica_id"]
            .as_str()
            .expect("replica_id")
            .to_owned()
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub async fn terminate(&self) -> ExitStatus {
        let pid = self.child.lock().expect("child lock").id();
        let status = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {pid}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self
                .child
                .lock()
                .expect("child lock")
                .try_wait()
                .expect("wait")
            {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "replica {} did not exit after SIGTERM",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Ok(child) = self.child.get_mut() {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}
