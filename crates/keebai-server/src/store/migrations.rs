//! Versioned schema migrations, applied in order at start-up by both engines through one
//! runner ([`super::migrate`]).
//!
//! The SQL is the common subset of SQLite and PostgreSQL (TEXT, BIGINT, BOOLEAN), so one list
//! serves both and the two schemas cannot drift. A migration, once released, is never edited:
//! add a new version instead.
//!
//! Where one engine needs something the other has no syntax for (an index only PostgreSQL can
//! build, e.g. the trigram index of version 14), that statement begins with a line
//! `-- engine: postgres` (or `-- engine: sqlite`) and runs on that engine alone
//! ([`statements`]); every other statement runs on both. The tag is per statement, inside the
//! version, so a version stays one step that both engines record, and the schema that matters
//! to the queries (tables, columns, the B-tree indexes) stays shared and checked on both.

use super::sql::Engine;

/// The line that makes the statement it begins run on one engine only.
const ENGINE_TAG: &str = "-- engine:";

/// `(version, statements)`; statements are separated by `;` and run in one transaction.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);
CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    permissions TEXT NOT NULL,
    builtin BOOLEAN NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    UNIQUE (tenant_id, email)
);
CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id),
    role_id TEXT NOT NULL REFERENCES roles(id),
    PRIMARY KEY (user_id, role_id)
);
CREATE TABLE sessions (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    -- Never store `prefix` right before `hash`: SQLite lays a row's values end to end, and
    -- `kbai_pk_a1b2` followed by 64 hex digits of the hash would read like a full token to
    -- secret scanners. Scopes (JSON) sit between them.
    prefix TEXT NOT NULL,
    scopes TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX tokens_by_user ON tokens (user_id, created_at);
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    at BIGINT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    target TEXT,
    ip TEXT
);
CREATE INDEX audit_by_tenant ON audit_events (tenant_id, at, id);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_by_tenant ON messages (tenant_id, created_at)
"#,
    ),
    (
        2,
        // Credential-cache coherence across replicas (`store::pg_coherence`): the epoch that
        // every change reducing a credential's rights bumps, and one heartbeat row per serving
        // replica with the newest epoch it has applied. Only the PostgreSQL engine uses them;
        // SQLite gets the same (unused) tables so the two schemas never drift.
        r#"
CREATE TABLE auth_epoch (
    id BIGINT PRIMARY KEY,
    epoch BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, epoch) VALUES (1, 0);
CREATE TABLE replicas (
    id TEXT PRIMARY KEY,
    beat BIGINT NOT NULL,
    acked_epoch BIGINT NOT NULL
)
"#,
    ),
    (
        3,
        // The messages listing orders by (created_at, id); with the id in the index the
        // listing reads rows in order instead of sorting them in a temporary b-tree per request.
        r#"
CREATE INDEX messages_by_tenant_time_id ON messages (tenant_id, created_at, id);
DROP INDEX messages_by_tenant
"#,
    ),
    (
        4,
        // Sign-in attempts per account (a hash of tenant and e-mail), shared by every replica so
        // the 5-failures-a-minute lockout holds across them. Rows older than the window are
        // pruned as new attempts arrive.
        r#"
CREATE TABLE sign_in_attempts (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_attempts_by_account ON sign_in_attempts (account, at)
"#,
    ),
    (
        5,
        // Usage history (`GET /v1/tokens/{id}/usage`): successful requests per token per UTC
        // hour, added to by each replica's batched flush, and the address of the latest use
        // (it moves with `last_used_at`). Hours older than 90 days are pruned.
        r#"
ALTER TABLE tokens ADD COLUMN last_used_ip TEXT;
CREATE TABLE token_usage (
    token_id TEXT NOT NULL REFERENCES tokens(id),
    hour BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (token_id, hour)
);
CREATE INDEX token_usage_by_hour ON token_usage (hour)
"#,
    ),
    (
        6,
        // Epoch bumps that no credential depends on (message posts), so credential caches can
        // tell them apart: credential changes = epoch − data_bumps (`store::pg_coherence`).
        // Purely additive: an older replica's bump leaves it alone and so counts as a
        // credential change, the safe reading, so replicas can be upgraded one at a time.
        r#"
ALTER TABLE auth_epoch ADD COLUMN data_bumps BIGINT NOT NULL DEFAULT 0
"#,
    ),
    (
        7,
        // Rotation: both tokens of a rotation point at each other, and an old token retiring
        // on its replacement's first use keeps its grace until then. Audit events carry their
        // particulars (a rotation's new token) as a JSON object. The built-in Admin role holds
        // every permission, so it gains the new `developer.rotate_self` (role permissions are
        // compact JSON arrays, which these string functions extend the same way on both engines).
        r#"
ALTER TABLE tokens ADD COLUMN rotated_from TEXT;
ALTER TABLE tokens ADD COLUMN replaced_by TEXT;
ALTER TABLE tokens ADD COLUMN retire_grace BIGINT;
CREATE INDEX tokens_by_replaced_by ON tokens (replaced_by);
ALTER TABLE audit_events ADD COLUMN detail TEXT;
UPDATE roles SET permissions = substr(permissions, 1, length(permissions) - 1) || ',"developer.rotate_self"]'
 WHERE builtin AND name = 'Admin' AND permissions LIKE '[%]' AND permissions <> '[]'
   AND permissions NOT LIKE '%developer.rotate_self%'
"#,
    ),
    (
        8,
        // Housekeeping reads: a user's sessions newest first (the per-user cap), expired
        // sessions and old sign-in attempts (pruning).
        r#"
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sign_in_attempts_by_at ON sign_in_attempts (at)
"#,
    ),
    (
        9,
        // The client addresses each token was used from (`GET /v1/tokens/{id}/usage`), at most
        // `store::MAX_ADDRESSES` per token (the least recently seen are dropped), written in
        // the same batches as the hourly counts.
        r#"
CREATE TABLE token_addresses (
    token_id TEXT NOT NULL REFERENCES tokens(id),
    ip TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (token_id, ip)
)
"#,
    ),
    (
        10,
        // The tenant-wide token inventory (`GET /v1/admin/tokens`) pages a tenant's tokens
        // newest first by (created_at, id); this index serves those pages in order.
        r#"
CREATE INDEX tokens_by_tenant_time_id ON tokens (tenant_id, created_at, id)
"#,
    ),
    (
        11,
        // A disabled user (`PUT /v1/users/{id}` `{"disabled": true}`) cannot sign in and none
        // of their credentials is accepted; their rows stay for the inventory and the trail.
        r#"
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE
"#,
    ),
    (
        12,
        // The tenant's token policy (`GET/PUT /v1/tenant/token-policy`); a tenant without a row
        // has the default policy (no maximum lifetime, no expiry required).
        r#"
CREATE TABLE token_policies (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    max_lifetime_days BIGINT,
    require_expiration BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL
)
"#,
    ),
    (
        13,
        // The inventory (`GET /v1/admin/tokens`) with 100,000 tokens in a tenant
        // (scripts/bench-inventory.sh, docs/benchmarks.md).
        // - `tokens_inventory` replaces `tokens_by_tenant_time_id`, the same order with every
        //   tokens column a filter reads after it: SQLite then tests a filter on the index entry
        //   and reads the table row only for a match, so a rare `q` text, which scans the whole
        //   tenant, costs ~30 ms instead of 200–270 ms, and a first page that must skip the
        //   newest tokens (`unused_days`) 4 ms instead of 33–41.
        // - `tokens_by_tenant_user_time_id`: given only `tokens_by_user`, SQLite's planner
        //   prefers the tenant index for its order and reads the whole tenant for one owner's
        //   tokens (220 ms); this one holds them already in page order.
        r#"
CREATE INDEX tokens_inventory ON tokens
    (tenant_id, created_at, id, user_id, revoked_at, expires_at, last_used_at, name, prefix, scopes);
DROP INDEX tokens_by_tenant_time_id;
CREATE INDEX tokens_by_tenant_user_time_id ON tokens (tenant_id, user_id, created_at, id)
"#,
    ),
    (
        14,
        // The inventory's `q` ("contains", `ILIKE '%text%'` on name or prefix) with a rare text
        // read all 100,000 tokens of a tenant on PostgreSQL (61–80 ms, docs/benchmarks.md): no
        // B-tree serves "contains". A trigram index per column does; the planner ORs the two
        // bitmap scans and, for a text of fewer than three characters (no trigram) or a common
        // one, keeps the ordered scan of `tokens_inventory`, so results never depend on it.
        // `pg_trgm` ships with PostgreSQL (postgresql-contrib outside Debian) and is a trusted
        // extension: the database owner may create it (docs/postgres.md). SQLite has neither;
        // its covering `tokens_inventory` scan already answers in ~30 ms.
        r#"
-- engine: postgres
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- engine: postgres
CREATE INDEX tokens_name_trgm ON tokens USING gin (name gin_trgm_ops);
-- engine: postgres
CREATE INDEX tokens_prefix_trgm ON tokens USING gin (prefix gin_trgm_ops)
"#,
    ),
    (
        15,
        // The contract names a role's change `role.changed`; builds before this one stored it
        // as `role.updated`, so `?action=role.changed` found none of them. Renamed in place.
        r#"
UPDATE audit_events SET action = 'role.changed' WHERE action = 'role.updated'
"#,
    ),
];

/// One statement of a migration: its SQL and the engine it is limited to, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement<'a> {
    pub only: Option<Engine>,
    pub sql: &'a str,
}

impl Statement<'_> {
    /// Whether `engine` runs it.
    pub fn runs_on(&self, engine: Engine) -> bool {
        self.only.is_none_or(|only| only == engine)
    }
}

/// The statements of one migration, split on `;`, each with its engine tag read and removed.
///
/// # Panics
/// On a tag naming no engine: a typo there would otherwise silently run the statement on both
/// engines or on neither (the unit tests read every released statement, so it fails there).
pub fn statements(sql: &str) -> impl Iterator<Item = Statement<'_>> {
    sql.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix(ENGINE_TAG) {
            None => Statement { only: None, sql: s },
            Some(rest) => {
                let (name, body) = rest.split_once('\n').unwrap_or((rest, ""));
                let only = match name.trim() {
                    "postgres" => Engine::Postgres,
                    "sqlite" => Engine::Sqlite,
                    other => panic!("unknown engine {other:?} in a migration's engine tag"),
                };
                Statement {
                    only: Some(only),
                    sql: body.trim(),
                }
            }
        })
}

/// The statements of one migration that `engine` runs, in order.
pub fn statements_for(sql: &str, engine: Engine) -> impl Iterator<Item = &str> {
    statements(sql)
        .filter(move |s| s.runs_on(engine))
        .map(|s| s.sql)
}

/// The highest version this build knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_statement_runs_on_its_engine_alone() {
        let sql = "CREATE TABLE a (x BIGINT);\n-- engine: postgres\nCREATE EXTENSION e;\n\
                   -- engine: sqlite\nCREATE VIRTUAL TABLE v USING fts5 (x);\n\
                   -- a plain comment\nCREATE INDEX a_x ON a (x)";
        let pg: Vec<&str> = statements_for(sql, Engine::Postgres).collect();
        let lite: Vec<&str> = statements_for(sql, Engine::Sqlite).collect();
        assert_eq!(
            pg,
            [
                "CREATE TABLE a (x BIGINT)",
                "CREATE EXTENSION e",
                "-- a plain comment\nCREATE INDEX a_x ON a (x)"
            ]
        );
        assert_eq!(
            lite,
            [
                "CREATE TABLE a (x BIGINT)",
                "CREATE VIRTUAL TABLE v USING fts5 (x)",
                "-- a plain comment\nCREATE INDEX a_x ON a (x)"
            ]
        );
    }

    #[test]
    #[should_panic(expected = "unknown engine \"postgresql\"")]
    fn a_misspelt_engine_is_refused() {
        let _ = statements("-- engine: postgresql\nCREATE EXTENSION e").count();
    }

    /// Every released tag names an engine, and version 14 is the trigram index on PostgreSQL
    /// and nothing on SQLite (a statement SQLite cannot parse would fail every SQLite start).
    #[test]
    fn the_released_tags_are_well_formed() {
        for (_, sql) in MIGRATIONS {
            for s in statements(sql) {
                assert!(!s.sql.is_empty() && !s.sql.starts_with(ENGINE_TAG), "{s:?}");
            }
        }
        let v14 = MIGRATIONS.iter().find(|(v, _)| *v == 14).expect("14").1;
        assert_eq!(statements_for(v14, Engine::Sqlite).count(), 0);
        let pg: Vec<&str> = statements_for(v14, Engine::Postgres).collect();
        assert_eq!(pg[0], "CREATE EXTENSION IF NOT EXISTS pg_trgm");
        assert_eq!(pg.len(), 3);
        assert!(pg[1..].iter().all(|s| s.contains("gin_trgm_ops")), "{pg:?}");
    }
}
