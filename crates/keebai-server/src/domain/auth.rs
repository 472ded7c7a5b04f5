//! Authentication: a presented credential becomes a [`Principal`] or one uniform
//! [`DomainError::Unauthorized`].

use std::collections::BTreeSet;
use std::sync::Arc;

use keebai_api::{CredentialKind, TokenSecret};
use subtle::ConstantTimeEq;

use super::auth_cache::{Entry, Source};
use super::error::{DomainError, DomainResult};
use super::Service;
use crate::store::{TenantId, TenantRow, TokenId, UserRow};

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    /// A sign-in session; `hash` is the stored hash of its token.
    Session { hash: String },
    /// A personal access token.
    Pat {
        token_id: TokenId,
        prefix: String,
        /// When it expires (unix seconds), for the `Keebai-Token-Expires` answer header.
        expires_at: Option<i64>,
        /// A rotation's new token not used yet: its first successful request retires the
        /// old token (`retire: on_first_use`).
        first_use_retires: bool,
    },
}

/// Who is calling, through which credential, and what they may do right now.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: Arc<UserRow>,
    pub via: Via,
    /// For a session: the user's permissions now. For a PAT: its scopes ∩ those.
    pub permissions: Arc<BTreeSet<String>>,
}

impl Principal {
    pub fn tenant_id(&self) -> &TenantId {
        &self.user.tenant_id
    }

    pub fn has(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }

    /// 403 unless the principal holds `permission`.
    pub fn require(&self, permission: &str) -> DomainResult<()> {
        if self.has(permission) {
            Ok(())
        } else {
            Err(DomainError::MissingPermission(permission.to_owned()))
        }
    }

    /// 403 unless the principal signed in with a session (some actions are not for PATs).
    pub fn require_session(&self, action: &str) -> DomainResult<()> {
        match self.via {
            Via::Session { .. } => Ok(()),
            Via::Pat { .. } => Err(DomainError::forbidden(format!(
                "a personal access token cannot {action}; sign in instead"
            ))),
        }
    }

    pub fn is_session(&self) -> bool {
        matches!(self.via, Via::Session { .. })
    }

    /// The PAT prefix, for logs.
    pub fn token_prefix(&self) -> Option<&str> {
        match &self.via {
            Via::Pat { prefix, .. } => Some(prefix),
            Via::Session { .. } => None,
        }
    }
}

impl Service {
    /// Resolves an `Authorization` header value (`Bearer <credential>`), or `None` when absent.
    /// Every failure is the same `Unauthorized`.
    pub async fn authenticate(&self, header: Option<&str>) -> DomainResult<Principal> {
        let credential = header.and_then(bearer).ok_or(DomainError::Unauthorized)?;
        let secret = TokenSecret::parse(credential).map_err(|_| DomainError::Unauthorized)?;
        let kind = secret.kind();
        let hash_hex = secret.sha256().to_hex();
        drop(secret);
        let now = super::now_ts();
        let entry = match self.auth_cache.get(&hash_hex) {
            Some(e) => e,
            None => self.load_credential(kind, &hash_hex, now).await?,
        };
        match &entry.source {
            Source::Pat(token) => {
                // The lookup matched by hash already; this constant-time recheck keeps the
                // decision itself free of data-dependent branching on secret-derived bytes.
                let matches: bool = token.hash.as_bytes().ct_eq(hash_hex.as_bytes()).into();
                if !matches || !token.is_active(now) {
                    return Err(DomainError::Unauthorized);
                }
                // Its use is recorded by the HTTP layer once the answer is a success.
                Ok(Principal {
                    user: Arc::clone(&entry.user),
                    via: Via::Pat {
                        token_id: token.id.clone(),
                        prefix: token.prefix.clone(),
                        expires_at: token.expires_at,
                        first_use_retires: token.rotated_from.is_some()
                            && token.last_used_at.is_none(),
                    },
                    permissions: Arc::clone(&entry.granted),
                })
            }
            Source::Session(session) => {
                if session.expires_at <= now {
                    return Err(DomainError::Unauthorized);
                }
                Ok(Principal {
                    user: Arc::clone(&entry.user),
                    via: Via::Session {
                        hash: session.hash.clone(),
                    },
                    permissions: Arc::clone(&entry.granted),
                })
            }
        }
    }

    /// Reads a credential from the store and caches it if it is valid now. An unknown and a
    /// revoked or expired credential cost the same single lookup, so their answers take the
    /// same time.
    async fn load_credential(
        &self,
        kind: CredentialKind,
        hash: &str,
        now: i64,
    ) -> DomainResult<Arc<Entry>> {
        let epoch = self.auth_cache.epoch();
        let (source, tenant_id, user_id) = match kind {
            CredentialKind::PersonalAccessToken => {
                // Active tokens only: for an unknown and a revoked or expired token alike no
                // row comes back, so both answers take the same path and the same time.
                let t = self
                    .store
                    .active_token_by_hash(hash, now)
                    .await?
                    .ok_or(DomainError::Unauthorized)?;
                let ids = (t.tenant_id.clone(), t.user_id.clone());
                (Source::Pat(Box::new(t)), ids.0, ids.1)
            }
            CredentialKind::Session => {
                let s = self
                    .store
                    .session_by_hash(hash)
                    .await?
                    .ok_or(DomainError::Unauthorized)?;
                if s.expires_at <= now {
                    return Err(DomainError::Unauthorized);
                }
                let ids = (s.tenant_id.clone(), s.user_id.clone());
                (Source::Session(s), ids.0, ids.1)
            }
        };
        let user = self
            .store
            .user(&tenant_id, &user_id)
            .await?
            // Disabling ends sessions and revokes tokens too; this refuses whatever a
            // crash between those writes and the announcement could have left.
            .filter(|u| !u.disabled)
            .ok_or(DomainError::Unauthorized)?;
        let held: BTreeSet<String> = self
            .store
            .user_permissions(&user.id)
            .await?
            .into_iter()
            .collect();
        self.auth_cache.put(
            hash.to_owned(),
            source.clone(),
            user.clone(),
            held.clone(),
            epoch,
        );
        Ok(self
            .auth_cache
            .get(hash)
            .unwrap_or_else(|| Entry::uncached(source, user, held)))
    }

    /// The principal's tenant.
    /// Tenants are immutable once created, so they are cached for the process's lifetime.
    pub async fn tenant_of(&self, principal: &Principal) -> DomainResult<TenantRow> {
        let id = principal.tenant_id();
        if let Some(t) = self
            .tenants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
        {
            return Ok(t.clone());
        }
        let t =
            self.store.tenant(id).await?.ok_or_else(|| {
                DomainError::Internal("tenant of a signed-in user is missing".into())
            })?;
        self.tenants
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), t.clone());
        Ok(t)
    }
}

/// The credential of `Bearer <credential>`; the scheme is case-insensitive (RFC 9110), the
/// separator exactly one space, and nothing may follow the credential.
fn bearer(header: &str) -> Option<&str> {
    let (scheme, rest) = header.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn bearer_scheme_parsing() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearerabc"), None);
        assert_eq!(
            bearer("Bearer  abc"),
            Some(" abc"),
            "the strict parser refuses the space"
        );
    }
}
