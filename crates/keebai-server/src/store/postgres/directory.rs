//! [`DirectoryStore`] on PostgreSQL: tenants, roles, users.

use super::*;

#[async_trait]
impl DirectoryStore for PgStore {
    async fn insert_tenant(
        &self,
        t: &TenantRow,
        roles: &[RoleRow],
        users: &[UserRow],
    ) -> StoreResult<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let st = tx.prepare_cached(queries::INSERT_TENANT.pg()).await?;
        tx.execute(&st, &[&t.id, &t.slug, &t.name]).await?;
        for r in roles {
            insert_role_in(&tx, r).await?;
        }
        for u in users {
            insert_user_in(&tx, u).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn tenant(&self, id: &TenantId) -> StoreResult<Option<TenantRow>> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::TENANT_BY_ID.pg()).await?;
        c.query_opt(&st, &[&id])
            .await?
            .as_ref()
            .map(tenant_row)
            .transpose()
    }

    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<TenantRow>> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::TENANT_BY_SLUG.pg()).await?;
        c.query_opt(&st, &[&slug])
            .await?
            .as_ref()
            .map(tenant_row)
            .transpose()
    }

    async fn has_tenants(&self) -> StoreResult<bool> {
        let c = self.client().await?;
        Ok(c.query_one(queries::HAS_TENANTS.pg(), &[])
            .await?
            .try_get(0)?)
    }

    async fn insert_role(&self, r: &RoleRow) -> StoreResult<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        insert_role_in(&tx, r).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn role(&self, tenant_id: &TenantId, id: &RoleId) -> StoreResult<Option<RoleRow>> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::ROLE_BY_ID.pg()).await?;
        c.query_opt(&st, &[&tenant_id, &id])
            .await?
            .as_ref()
            .map(role_row)
            .transpose()
    }

    async fn roles(&self, tenant_id: &TenantId) -> StoreResult<Vec<RoleRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                r#"SELECT {ROLE_COLS} FROM roles WHERE tenant_id = $1 ORDER BY builtin DESC, name COLLATE "C""#
            ))
            .await?;
        c.query(&st, &[&tenant_id])
            .await?
            .iter()
            .map(role_row)
            .collect()
    }

    async fn insert_user(&self, u: &UserRow) -> StoreResult<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        insert_user_in(&tx, u).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user(&self, tenant_id: &TenantId, id: &UserId) -> StoreResult<Option<UserRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "{USER_SELECT} WHERE u.tenant_id = $1 AND u.id = $2"
            ))
            .await?;
        c.query_opt(&st, &[&tenant_id, &id])
            .await?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    async fn user_by_email(
        &self,
        tenant_id: &TenantId,
        email: &str,
    ) -> StoreResult<Option<UserRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "{USER_SELECT} WHERE u.tenant_id = $1 AND u.email = $2"
            ))
            .await?;
        c.query_opt(&st, &[&tenant_id, &email])
            .await?
            .as_ref()
            .map(user_row)
            .transpose()
    }

    async fn users(&self, tenant_id: &TenantId) -> StoreResult<Vec<UserRow>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                r#"{USER_SELECT} WHERE u.tenant_id = $1 ORDER BY u.email COLLATE "C""#
            ))
            .await?;
        c.query(&st, &[&tenant_id])
            .await?
            .iter()
            .map(user_row)
            .collect()
    }

    async fn change_administration(
        &self,
        tenant_id: &TenantId,
        change: &AdminWrite,
        rule: AdminRule,
    ) -> StoreResult<bool> {
        let mut c = self.client().await?;
        admin::change_administration(&mut c, tenant_id, change, rule).await
    }

    async fn user_permissions(&self, user_id: &UserId) -> StoreResult<Vec<String>> {
        let c = self.client().await?;
        let st = c.prepare_cached(queries::USER_PERMISSIONS.pg()).await?;
        let mut all = Vec::new();
        for row in c.query(&st, &[&user_id]).await? {
            all.extend(parse_list(row.try_get(0)?)?);
        }
        // Sorted in Rust, so the order is byte-wise like the SQLite engine's.
        all.sort();
        all.dedup();
        Ok(all)
    }
}

async fn insert_role_in(tx: &deadpool_postgres::Transaction<'_>, r: &RoleRow) -> StoreResult<()> {
    let st = tx.prepare_cached(queries::INSERT_ROLE.pg()).await?;
    tx.execute(
        &st,
        &[
            &r.id,
            &r.tenant_id,
            &r.name,
            &json_list(&r.permissions),
            &r.builtin,
        ],
    )
    .await?;
    Ok(())
}

/// Inserts a user and their role assignments, inside the caller's transaction.
async fn insert_user_in(tx: &deadpool_postgres::Transaction<'_>, u: &UserRow) -> StoreResult<()> {
    let st = tx.prepare_cached(queries::INSERT_USER.pg()).await?;
    tx.execute(
        &st,
        &[&u.id, &u.tenant_id, &u.email, &u.name, &u.password_hash],
    )
    .await?;
    if !u.role_ids.is_empty() {
        let st = tx.prepare_cached(INSERT_USER_ROLES).await?;
        tx.execute(&st, &[&u.id, &u.role_ids]).await?;
    }
    Ok(())
}
