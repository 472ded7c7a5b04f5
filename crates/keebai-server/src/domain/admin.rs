//! Tenants, roles and users.
//!
//! Two guards against privilege escalation beyond the contract's permission checks: an actor
//! can only grant (to a role) or assign (through a role) permissions they hold themselves, and
//! the built-in Admin role always keeps every permission so a tenant cannot lock itself out.

use std::collections::BTreeSet;

use keebai_api::wire::{
    CreateRoleRequest, CreateUserRequest, Me, Role, Tenant, UpdateRoleRequest, User,
};

use super::audit::AuditAction;
use super::auth::Principal;
use super::context::RequestContext;
use super::error::{DomainError, DomainResult};
use super::newtypes::{person_name, Email, RoleName, Scopes, MIN_PASSWORD_CHARS};
use super::permissions::{self, MANAGE_ROLES, MANAGE_USERS};
use super::{new_id, passwords, Service};
use crate::store::{AdminWrite, RoleId, RoleRow, StoreError, TenantRow, UserId, UserRow};

/// The ids of a new tenant's built-in roles and first admin.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub tenant: TenantRow,
    pub admin_role_id: RoleId,
    pub member_role_id: RoleId,
    pub admin: UserRow,
}

impl Service {
    /// Creates a tenant with the built-in Admin and Member roles and one Admin user.
    pub async fn create_tenant(
        &self,
        slug: &str,
        name: &str,
        admin_email: &str,
        admin_password: String,
    ) -> DomainResult<NewTenant> {
        let slug = slug.trim().to_lowercase();
        let slug_ok = !slug.is_empty()
            && slug.len() <= 63
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !slug_ok {
            return Err(DomainError::invalid(
                "tenant",
                "use 1–63 lowercase letters, digits or dashes",
            ));
        }
        let email = Email::parse(admin_email)?;
        check_password(&admin_password)?;
        if self.store.tenant_by_slug(&slug).await?.is_some() {
            return Err(DomainError::invalid(
                "tenant",
                format!("tenant {slug} already exists"),
            ));
        }
        let tenant = TenantRow {
            id: new_id().into(),
            slug,
            name: name.to_owned(),
        };
        let admin_role = RoleRow {
            id: new_id().into(),
            tenant_id: tenant.id.clone(),
            name: permissions::ADMIN_ROLE.into(),
            permissions: permissions::all_keys(),
            builtin: true,
        };
        let member_role = RoleRow {
            id: new_id().into(),
            tenant_id: tenant.id.clone(),
            name: permissions::MEMBER_ROLE.into(),
            permissions: permissions::member_keys(),
            builtin: true,
        };
        let admin = UserRow {
            id: new_id().into(),
            tenant_id: tenant.id.clone(),
            email: email.as_str().to_owned(),
            name: "Administrator".into(),
            password_hash: passwords::hash(admin_password).await?,
            role_ids: vec![admin_role.id.clone()],
            disabled: false,
        };
        self.store
            .insert_tenant(
                &tenant,
                &[admin_role.clone(), member_role.clone()],
                std::slice::from_ref(&admin),
            )
            .await
            .map_err(|e| match e {
                // Another start-up created the same tenant since the check above.
                StoreError::Conflict(_) => {
                    DomainError::invalid("tenant", format!("tenant {} already exists", tenant.slug))
                }
                e => e.into(),
            })?;
        Ok(NewTenant {
            tenant,
            admin_role_id: admin_role.id,
            member_role_id: member_role.id,
            admin,
        })
    }

    /// `GET /v1/me`.
    pub async fn me(&self, principal: &Principal) -> DomainResult<Me> {
        let t = self.tenant_of(principal).await?;
        Ok(Me {
            // Field by field: cloning the whole row would copy its password hash for nothing.
            user: User {
                id: principal.user.id.as_str().to_owned(),
                email: principal.user.email.clone(),
                name: principal.user.name.clone(),
                role_ids: principal
                    .user
                    .role_ids
                    .iter()
                    .map(|r| r.as_str().to_owned())
                    .collect(),
                disabled: principal.user.disabled,
            },
            tenant: Tenant {
                id: t.id.into_inner(),
                slug: t.slug,
                name: t.name,
            },
            permissions: principal.permissions.iter().cloned().collect(),
        })
    }

    pub async fn roles(&self, principal: &Principal) -> DomainResult<Vec<Role>> {
        principal.require(MANAGE_ROLES)?;
        let rows = self.store.roles(principal.tenant_id()).await?;
        Ok(rows.into_iter().map(role_to_wire).collect())
    }

    pub async fn create_role(
        &self,
        ctx: &RequestContext,
        req: CreateRoleRequest,
    ) -> DomainResult<Role> {
        let principal = &ctx.principal;
        principal.require_session("create roles")?;
        principal.require(MANAGE_ROLES)?;
        let name = RoleName::parse(&req.name)?.into_inner();
        let perms = Scopes::parse(&req.permissions, "permissions", true)?.into_inner();
        require_holds(principal, perms.iter())?;
        let row = RoleRow {
            id: new_id().into(),
            tenant_id: principal.tenant_id().clone(),
            name,
            permissions: perms,
            builtin: false,
        };
        self.store.insert_role(&row).await.map_err(duplicate_role)?;
        self.record(ctx, AuditAction::RoleCreated, Some(row.id.as_str()), None)
            .await;
        Ok(role_to_wire(row))
    }

    pub async fn update_role(
        &self,
        ctx: &RequestContext,
        id: &RoleId,
        req: UpdateRoleRequest,
    ) -> DomainResult<Role> {
        let principal = &ctx.principal;
        principal.require_session("change roles")?;
        principal.require(MANAGE_ROLES)?;
        let mut row = self
            .store
            .role(principal.tenant_id(), id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let perms = Scopes::parse(&req.permissions, "permissions", true)?.into_inner();
        let added = perms.iter().filter(|p| !row.permissions.contains(p));
        require_holds(principal, added)?;
        if row.builtin
            && row.name == permissions::ADMIN_ROLE
            && perms.len() < permissions::all_keys().len()
        {
            return Err(DomainError::invalid(
                "permissions",
                "the built-in Admin role always holds every permission",
            ));
        }
        if let Some(name) = req.name {
            let name = RoleName::parse(&name)?.into_inner();
            if row.builtin && name != row.name {
                return Err(DomainError::invalid(
                    "name",
                    "built-in roles cannot be renamed",
                ));
            }
            row.name = name;
        }
        row.permissions = perms;
        self.change_administration(principal, &AdminWrite::Role(row.clone()))
            .await?;
        self.auth_cache.invalidate().await?;
        self.record(ctx, AuditAction::RoleChanged, Some(row.id.as_str()), None)
            .await;
        tracing::info!(role_id = %row.id, "role permissions changed");
        Ok(role_to_wire(row))
    }

    pub async fn users(&self, principal: &Principal) -> DomainResult<Vec<User>> {
        principal.require(MANAGE_USERS)?;
        let rows = self.store.users(principal.tenant_id()).await?;
        Ok(rows.into_iter().map(user_to_wire).collect())
    }

    pub async fn create_user(
        &self,
        ctx: &RequestContext,
        req: CreateUserRequest,
    ) -> DomainResult<User> {
        let principal = &ctx.principal;
        principal.require_session("create users")?;
        principal.require(MANAGE_USERS)?;
        let email = Email::parse(&req.email)?;
        let name = person_name(&req.name)?;
        check_password(req.password.expose())?;
        let role_ids = self.checked_role_ids(principal, &req.role_ids).await?;
        let row = UserRow {
            id: new_id().into(),
            tenant_id: principal.tenant_id().clone(),
            email: email.as_str().to_owned(),
            name,
            password_hash: passwords::hash(req.password.expose().to_owned()).await?,
            role_ids,
            disabled: false,
        };
        self.store.insert_user(&row).await.map_err(|e| match e {
            StoreError::Conflict(_) => {
                DomainError::invalid("email", "a user with this e-mail already exists")
            }
            e => e.into(),
        })?;
        self.record(ctx, AuditAction::UserCreated, Some(row.id.as_str()), None)
            .await;
        Ok(user_to_wire(row))
    }

    pub async fn set_user_roles(
        &self,
        ctx: &RequestContext,
        user_id: &UserId,
        role_ids: &[String],
    ) -> DomainResult<User> {
        let principal = &ctx.principal;
        principal.require_session("assign roles")?;
        principal.require(MANAGE_USERS)?;
        let mut user = self
            .store
            .user(principal.tenant_id(), user_id)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.outranks(principal, &user.id).await?;
        let role_ids = self.checked_role_ids(principal, role_ids).await?;
        let change = AdminWrite::UserRoles {
            user_id: user.id.clone(),
            role_ids: role_ids.clone(),
        };
        self.change_administration(principal, &change).await?;
        self.auth_cache.invalidate().await?;
        user.role_ids = role_ids;
        self.record(
            ctx,
            AuditAction::UserRolesChanged,
            Some(user.id.as_str()),
            None,
        )
        .await;
        Ok(user_to_wire(user))
    }

    /// Deduplicated role ids that exist in the tenant and grant nothing the actor lacks.
    async fn checked_role_ids(
        &self,
        principal: &Principal,
        ids: &[String],
    ) -> DomainResult<Vec<RoleId>> {
        let mut out: Vec<RoleId> = Vec::new();
        let mut granted = BTreeSet::new();
        for id in ids {
            let role_id = RoleId::new(id.as_str());
            let role = self
                .store
                .role(principal.tenant_id(), &role_id)
                .await?
                .ok_or_else(|| {
                    DomainError::invalid(
                        "role_ids",
                        format!(
                            "no role with id {:?}",
                            id.chars().take(64).collect::<String>()
                        ),
                    )
                })?;
            granted.extend(role.permissions);
            if !out.contains(&role_id) {
                out.push(role_id);
            }
        }
        require_holds(principal, granted.iter())?;
        out.sort();
        Ok(out)
    }
}

fn require_holds<'a>(
    principal: &Principal,
    perms: impl IntoIterator<Item = &'a String>,
) -> DomainResult<()> {
    for p in perms {
        if !principal.has(p) {
            return Err(DomainError::forbidden(format!(
                "you cannot grant the {p} permission because you do not hold it"
            )));
        }
    }
    Ok(())
}

fn duplicate_role(e: StoreError) -> DomainError {
    match e {
        StoreError::Conflict(_) => {
            DomainError::invalid("name", "a role with this name already exists")
        }
        e => e.into(),
    }
}

fn check_password(p: &str) -> DomainResult<()> {
    if p.chars().count() < MIN_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if p.len() > 1024 {
        return Err(DomainError::invalid(
            "password",
            "must be at most 1024 bytes",
        ));
    }
    Ok(())
}

pub fn user_to_wire(u: UserRow) -> User {
    User {
        id: u.id.into_inner(),
        email: u.email,
        name: u.name,
        role_ids: u.role_ids.into_iter().map(RoleId::into_inner).collect(),
        disabled: u.disabled,
    }
}

pub fn role_to_wire(r: RoleRow) -> Role {
    Role {
        id: r.id.into_inner(),
        name: r.name,
        permissions: r.permissions,
        builtin: r.builtin,
    }
}
