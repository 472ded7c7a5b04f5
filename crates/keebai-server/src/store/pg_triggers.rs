//! Credential changes announce themselves, in their own transaction (PostgreSQL only).
//!
//! Every change that can take rights away — a token revoked or its expiry brought forward, a
//! session ended, a role's permissions changed, a role taken from a user — bumps the
//! coherence epoch and `NOTIFY`s it from a trigger, so the announcement commits with the
//! change or not at all. A replica that dies right after committing a revoke has therefore
//! already told every other replica (and a replica that missed the notification reads the
//! new epoch with its next heartbeat, within the fence): the revoked token is refused
//! everywhere whether or not the process lived to publish, and whatever its own cache
//! setting. The domain's publish after the commit still waits for the replicas'
//! acknowledgements, which is what makes a change effective *before it answers*.
//!
//! Statement-level triggers with transition tables: one bump per statement that really
//! changed something (re-revoking a revoked token, or a usage flush moving `last_used_at`,
//! bumps nothing), however many rows it touched. Applied at every start, idempotently,
//! after the migrations and under their lock.

/// `CREATE OR REPLACE` / `DROP … IF EXISTS` statements, run in one transaction.
pub const TRIGGERS_SQL: &str = r#"
CREATE OR REPLACE FUNCTION keebai_bump_epoch() RETURNS void LANGUAGE plpgsql AS $$
DECLARE e BIGINT; d BIGINT;
BEGIN
    UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch, data_bumps INTO e, d;
    PERFORM pg_notify('keebai_auth', e::text || ':' || d::text);
END $$;

CREATE OR REPLACE FUNCTION keebai_tokens_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
               WHERE o.revoked_at IS DISTINCT FROM n.revoked_at
                  OR o.expires_at IS DISTINCT FROM n.expires_at) THEN
        PERFORM keebai_bump_epoch();
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS keebai_tokens_changed ON tokens;
CREATE TRIGGER keebai_tokens_changed AFTER UPDATE ON tokens
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION keebai_tokens_changed();

CREATE OR REPLACE FUNCTION keebai_rows_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows) THEN
        PERFORM keebai_bump_epoch();
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS keebai_sessions_ended ON sessions;
CREATE TRIGGER keebai_sessions_ended AFTER DELETE ON sessions
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION keebai_rows_removed();
DROP TRIGGER IF EXISTS keebai_user_roles_removed ON user_roles;
CREATE TRIGGER keebai_user_roles_removed AFTER DELETE ON user_roles
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION keebai_rows_removed();

CREATE OR REPLACE FUNCTION keebai_roles_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
               WHERE o.permissions IS DISTINCT FROM n.permissions) THEN
        PERFORM keebai_bump_epoch();
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS keebai_roles_changed ON roles;
CREATE TRIGGER keebai_roles_changed AFTER UPDATE ON roles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION keebai_roles_changed();
"#;
