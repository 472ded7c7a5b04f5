//! The security admins' desk over real HTTP, on SQLite or (with `KEEBAI_TEST_ENGINE=postgres`)
//! PostgreSQL: the tenant-wide inventory `GET /v1/admin/tokens` ([`inventory`], its paging
//! under concurrent inserts in [`paging`]), revoking with a reason one by one or in bulk
//! ([`revoke`]), and tenant isolation of all three endpoints ([`isolation`]).
//! Cross-replica effect of the revokes is `tests/replicas_inventory.rs`.

use keebai_testkit as support;

mod inventory;
mod isolation;
mod paging;
mod revoke;

use reqwest::StatusCode;
use serde_json::Value;
use support::TestServer;

pub const AUDIT: &str = "developer.audit_tokens";
pub const MANAGE: &str = "developer.manage_tokens";

/// The caller's tenant id (`GET /v1/me`).
pub async fn tenant_id(srv: &TestServer, session: &str) -> String {
    let (s, me) = srv.get("/v1/me", session).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    me["tenant"]["id"].as_str().expect("tenant id").to_owned()
}

/// Inserts `n` tokens of `user_id` behind the server's back (the API allows 10 active per
/// user), named `seed-<i>`, created at `created_at(i)`, never expiring. Returns their ids.
pub async fn seed_tokens(
    srv: &TestServer,
    tenant_id: &str,
    user_id: &str,
    n: usize,
    created_at: impl Fn(usize) -> i64,
) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    let mut values = Vec::with_capacity(n);
    for i in 0..n {
        let id = uuid::Uuid::now_v7().to_string();
        let hash = format!("{:0>64}", id.replace('-', ""));
        values.push(format!(
            "('{id}', '{tenant_id}', '{user_id}', 'seed-{i}', 'kbai_pk_seed', '[\"messages.read\"]', '{hash}', {})",
            created_at(i)
        ));
        ids.push(id);
    }
    for chunk in values.chunks(200) {
        srv.exec_behind(&format!(
            "INSERT INTO tokens (id, tenant_id, user_id, name, prefix, scopes, hash, created_at) VALUES {}",
            chunk.join(", ")
        ))
        .await;
    }
    ids
}

/// Every page of `GET /v1/admin/tokens?<query>` with `limit`, following `next_cursor`; the
/// token ids in the order listed.
pub async fn all_pages(srv: &TestServer, bearer: &str, query: &str, limit: u32) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/v1/admin/tokens?limit={limit}");
        if !query.is_empty() {
            path += &format!("&{query}");
        }
        if let Some(c) = &cursor {
            path += &format!("&cursor={c}");
        }
        let (s, page) = srv.get(&path, bearer).await;
        assert_eq!(s, StatusCode::OK, "{path}: {page}");
        ids.extend(token_ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return ids,
        }
    }
}

/// The `id`s of an answer's `tokens`.
pub fn token_ids(body: &Value) -> Vec<String> {
    body["tokens"]
        .as_array()
        .unwrap_or_else(|| panic!("no tokens in {body}"))
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect()
}
