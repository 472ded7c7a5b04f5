//! The credential cache's coherence protocol across replicas (`store::pg_coherence`), driven
//! directly: two or three `PgStore`s on one database are replicas as far as the protocol is
//! concerned (each has its own replica id, listener connection and local epoch). The same is
//! proven through real server processes in `tests/replicas_coherence.rs`.
//!
//! PostgreSQL only: needs `KEEBAI_TEST_PG_URL`; without it each test prints a skip notice, or
//! fails when `KEEBAI_REQUIRE_PG=1` (CI).
//!
//! By subject: [`publish`] (a change reaches every live replica before the answer) and
//! [`listener`] (a replica that loses or stalls its listener stops caching).

mod listener;
mod publish;

use std::sync::Arc;
use std::time::{Duration, Instant};

use keebai_server::store::pg_coherence::{self, PgCoherence};
use keebai_server::store::postgres::PgStore;
use keebai_server::store::{conformance, CacheCoherence, TokenStore};
use keebai_testkit::with_scratch_database as with_scratch;

/// A replica: its store and coherence, started and in sync.
async fn replica(url: &str) -> (PgStore, Arc<PgCoherence>) {
    let store = PgStore::connect(url).await.expect("open postgres");
    let c = Arc::clone(store.coherence().expect("the cache is on by default"));
    wait_until("the replica is in sync", Duration::from_secs(5), || {
        c.current().is_some()
    })
    .await;
    (store, c)
}

async fn wait_until(what: &str, within: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The PostgreSQL backend pid of `c`'s listener connection, found by its application_name.
async fn listener_pid(admin: &tokio_postgres::Client, c: &PgCoherence) -> i32 {
    let name = format!("keebai-server coherence {}", c.replica_id());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let row = admin
            .query_opt(
                // The newest: a killed or resumed old one may linger for a moment.
                "SELECT pid FROM pg_stat_activity WHERE application_name = $1
                 ORDER BY backend_start DESC LIMIT 1",
                &[&name],
            )
            .await
            .expect("pg_stat_activity");
        if let Some(row) = row {
            return row.get(0);
        }
        assert!(Instant::now() < deadline, "no listener connection `{name}`");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `before` is an epoch `c` served under; after a publish elsewhere returned, `c` must not
/// serve under it any more (a newer epoch, or no cache at all).
fn moved_past(c: &PgCoherence, before: u64) -> bool {
    c.current().is_none_or(|now| now > before)
}
