//! [`DirectoryStore`] on SQLite: tenants, roles, users.

use super::*;

#[async_trait]
impl DirectoryStore for SqliteStore {
    async fn insert_tenant(
        &self,
        t: &TenantRow,
        roles: &[RoleRow],
        users: &[UserRow],
    ) -> StoreResult<()> {
        let (t, roles, users) = (t.clone(), roles.to_vec(), users.to_vec());
        self.with_conn(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                queries::INSERT_TENANT.sqlite(),
                params![t.id, t.slug, t.name],
            )?;
            for r in &roles {
                insert_role_in(&tx, r)?;
            }
            for u in &users {
                insert_user_in(&tx, u)?;
            }
            tx.commit()
        })
        .await
    }

    async fn tenant(&self, id: &TenantId) -> StoreResult<Option<TenantRow>> {
        let id = id.to_owned();
        self.with_read(move |c| {
            c.query_row(queries::TENANT_BY_ID.sqlite(), [id], tenant_row)
                .optional()
        })
        .await
    }

    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<TenantRow>> {
        let slug = slug.to_owned();
        self.with_read(move |c| {
            c.query_row(queries::TENANT_BY_SLUG.sqlite(), [slug], tenant_row)
                .optional()
        })
        .await
    }

    async fn has_tenants(&self) -> StoreResult<bool> {
        self.with_read(|c| c.query_row(queries::HAS_TENANTS.sqlite(), [], |r| r.get(0)))
            .await
    }

    async fn insert_role(&self, r: &RoleRow) -> StoreResult<()> {
        let r = r.clone();
        self.with_conn(move |c| insert_role_in(c, &r)).await
    }

    async fn role(&self, tenant_id: &TenantId, id: &RoleId) -> StoreResult<Option<RoleRow>> {
        let (t, id) = (tenant_id.to_owned(), id.to_owned());
        self.with_read(move |c| {
            c.query_row(queries::ROLE_BY_ID.sqlite(), params![t, id], role_row)
                .optional()
        })
        .await
    }

    async fn roles(&self, tenant_id: &TenantId) -> StoreResult<Vec<RoleRow>> {
        let t = tenant_id.to_owned();
        self.with_read(move |c| roles_of(c, &t)).await
    }

    async fn insert_user(&self, u: &UserRow) -> StoreResult<()> {
        let u = u.clone();
        self.with_conn(move |c| {
            let tx = c.transaction()?;
            insert_user_in(&tx, &u)?;
            tx.commit()
        })
        .await
    }

    async fn user(&self, tenant_id: &TenantId, id: &UserId) -> StoreResult<Option<UserRow>> {
        let (t, id) = (tenant_id.to_owned(), id.to_owned());
        self.with_read(move |c| {
            load_user(c, "tenant_id = ?1 AND id = ?2", &[t.as_str(), id.as_str()])
        })
        .await
    }

    async fn user_by_email(
        &self,
        tenant_id: &TenantId,
        email: &str,
    ) -> StoreResult<Option<UserRow>> {
        let (t, e) = (tenant_id.to_owned(), email.to_owned());
        self.with_read(move |c| load_user(c, "tenant_id = ?1 AND email = ?2", &[t.as_str(), &e]))
            .await
    }

    async fn users(&self, tenant_id: &TenantId) -> StoreResult<Vec<UserRow>> {
        let t = tenant_id.to_owned();
        self.with_read(move |c| users_of(c, &t)).await
    }

    async fn change_administration(
        &self,
        tenant_id: &TenantId,
        change: &AdminWrite,
        rule: AdminRule,
    ) -> StoreResult<bool> {
        let (t, change) = (tenant_id.to_owned(), change.clone());
        self.with_conn(move |c| admin::change_administration(c, &t, &change, rule))
            .await
    }

    async fn user_permissions(&self, user_id: &UserId) -> StoreResult<Vec<String>> {
        let u = user_id.to_owned();
        self.with_read(move |c| {
            let mut s = c.prepare_cached(queries::USER_PERMISSIONS.sqlite())?;
            let lists = s
                .query_map([u], |r| r.list(0).map_err(into_sqlite))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut all: Vec<String> = lists.into_iter().flatten().collect();
            all.sort();
            all.dedup();
            Ok(all)
        })
        .await
    }
}

fn insert_role_in(c: &Connection, r: &RoleRow) -> rusqlite::Result<()> {
    c.execute(
        queries::INSERT_ROLE.sqlite(),
        params![
            r.id,
            r.tenant_id,
            r.name,
            json_list(&r.permissions),
            r.builtin
        ],
    )
    .map(drop)
}

/// Inserts a user and their role assignments, inside the caller's transaction.
fn insert_user_in(c: &Connection, u: &UserRow) -> rusqlite::Result<()> {
    c.execute(
        queries::INSERT_USER.sqlite(),
        params![u.id, u.tenant_id, u.email, u.name, u.password_hash],
    )?;
    for role in &u.role_ids {
        c.execute(
            "INSERT INTO user_roles (user_id, role_id) VALUES (?1, ?2)",
            params![u.id, role],
        )?;
    }
    Ok(())
}
