//! PostgreSQL's trigram indexes (migration 14) behind the inventory's `q` search.

use keebai_server::store::inventory::{self, Arg, Engine, Query};
use keebai_server::store::postgres::PgStore;
use keebai_server::store::{sql, TenantId, TokenFilter};
use tokio_postgres::types::ToSql;

use keebai_testkit::with_scratch_database as on_scratch_database;

/// Migration 14's PostgreSQL-only statements ran here (that SQLite leaves them out is a unit
/// test of `store::migrate`): both trigram indexes exist, and the inventory's own `q`
/// statement uses them when the planner is left no other scan (at 100,000 tokens it picks them
/// by itself for a rare text), with the same tokens in the same order as without them, texts of
/// one or two characters (no trigram to look up, so the whole index is read) included.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_searches_tokens_through_the_trigram_indexes() {
    on_scratch_database(
        "postgres_searches_tokens_through_the_trigram_indexes",
        |url, mut client| async move {
            drop(PgStore::connect(&url).await.expect("migrate"));
            let trgm: Vec<String> = client
                .query(
                    "SELECT indexname::text FROM pg_indexes WHERE tablename = 'tokens' \
                     AND indexdef LIKE '%gin_trgm_ops%' ORDER BY 1",
                    &[],
                )
                .await
                .expect("indexes")
                .iter()
                .map(|r| r.get(0))
                .collect();
            assert_eq!(trgm, ["tokens_name_trgm", "tokens_prefix_trgm"]);
            client
                .batch_execute(
                    "INSERT INTO tenants VALUES ('t1', 'acme', 'Acme');
                     INSERT INTO users (id, tenant_id, email, name, password_hash)
                          VALUES ('u1', 't1', 'a@acme.test', 'A', 'x');
                     INSERT INTO tokens (id, tenant_id, user_id, name, prefix, scopes, hash, created_at)
                          SELECT 'tok' || i, 't1', 'u1', 'Token ' || i,
                                 'kbai_pk_' || lpad(to_hex(i), 4, '0'), '[]', 'h' || i, i
                            FROM generate_series(1, 3000) AS i;
                     ANALYZE tokens",
                )
                .await
                .expect("rows");
            let tenant = TenantId::new("t1");
            for text in ["2999", "BB7", "9", "2e", "_p"] {
                let lower = text.to_lowercase();
                let want: Vec<String> = (1..=3000)
                    .rev()
                    .filter(|i| {
                        format!("token {i}").contains(&lower)
                            || format!("kbai_pk_{i:04x}").contains(&lower)
                    })
                    .map(|i| format!("tok{i}"))
                    .collect();
                let filter = TokenFilter {
                    q: Some(text.into()),
                    ..TokenFilter::default()
                };
                let built = inventory::select(
                    Engine::Postgres,
                    &Query {
                        tenant_id: &tenant,
                        filter: Some(&filter),
                        ids: None,
                        only_active: false,
                        now: 0,
                        after: None,
                        limit: 5000,
                    },
                );
                let args: Vec<Box<dyn ToSql + Sync + Send>> = built
                    .args
                    .iter()
                    .map(|a| -> Box<dyn ToSql + Sync + Send> {
                        match a {
                            Arg::Int(i) => Box::new(*i),
                            Arg::Text(t) => Box::new(t.clone()),
                        }
                    })
                    .collect();
                let refs: Vec<&(dyn ToSql + Sync)> = args
                    .iter()
                    .map(|a| &**a as &(dyn ToSql + Sync))
                    .collect();
                let stmt = sql::pg(&built.sql);
                for forced in [false, true] {
                    let tx = client.transaction().await.expect("begin");
                    if forced {
                        // On 3,000 rows the B-tree bitmap over the whole tenant is cheaper
                        // than the trigram indexes, so leave the planner nothing else (the
                        // drop is rolled back below).
                        tx.batch_execute(
                            "DROP INDEX tokens_inventory, tokens_by_tenant_user_time_id; \
                             SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off",
                        )
                        .await
                        .expect("settings");
                    }
                    let plan: Vec<String> = tx
                        .query(&format!("EXPLAIN {stmt}"), &refs)
                        .await
                        .expect("explain")
                        .iter()
                        .map(|r| r.get(0))
                        .collect();
                    let plan = plan.join("\n");
                    if forced {
                        assert!(
                            plan.contains("tokens_name_trgm") && plan.contains("tokens_prefix_trgm"),
                            "{plan}"
                        );
                    }
                    let got: Vec<String> = tx
                        .query(&stmt, &refs)
                        .await
                        .expect("inventory")
                        .iter()
                        .map(|r| r.get(0))
                        .collect();
                    assert_eq!(got, want, "q={text} forced={forced}\n{plan}");
                    tx.rollback().await.expect("rollback");
                }
            }
        },
    )
    .await;
}
