//! A scratch PostgreSQL database for one test, dropped when the test ends, also after a panic.

use std::future::Future;

use keebai_server::store::postgres::ScratchDatabase;

use crate::pg_admin_url;

/// Runs `body(url, client)` on a fresh database of the test PostgreSQL (a client connected to
/// it is handed over), then drops the database even when `body` panicked. Without the test
/// PostgreSQL the test is skipped, or fails with `KEEBAI_REQUIRE_PG=1` ([`pg_admin_url`]).
pub async fn with_scratch_database<F, Fut>(test: &str, body: F)
where
    F: FnOnce(String, tokio_postgres::Client) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(admin) = pg_admin_url(test) else {
        return;
    };
    let db = ScratchDatabase::create(&admin)
        .await
        .expect("create scratch database");
    let url = db.url().to_owned();
    let outcome = tokio::spawn(async move {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        body(url, client).await;
    })
    .await;
    db.drop_database().await.expect("drop scratch database");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
