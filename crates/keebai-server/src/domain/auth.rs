//! Authentication: a presented credential becomes a [`Principal`] or one uniform
//! [`DomainError::Unauthorized`].

use std::collections::BTreeSet;

use keebai_api::{CredentialKind, TokenSecret};
use subtle::ConstantTimeEq;

use super::error::{DomainError, DomainResult};
use super::Service;
use crate::store::{TenantRow, UserRow};

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    /// A sign-in session; `hash` is the stored hash of its token.
    Session { hash: String },
    /// A personal access token.
    Pat { token_id: String, prefix: String },
}

/// Who is calling, through which credential, and what they may do right now.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserRow,
    pub via: Via,
    /// For a session: the user's permissions now. For a PAT: its scopes ∩ those.
    pub permissions: BTreeSet<String>,
}

impl Principal {
    pub fn tenant_id(&self) -> &str {
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
            Err(DomainError::forbidden(format!(
                "this needs the {permission} permission"
            )))
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
        let now = super::now().timestamp();
        match kind {
            CredentialKind::PersonalAccessToken => {
                let token = self
                    .store
                    .token_by_hash(&hash_hex)
                    .await?
                    .ok_or(DomainError::Unauthorized)?;
                // The index lookup already matched; this constant-time recheck keeps the
                // decision itself free of data-dependent branching on secret bytes.
                let stored_matches: bool = token.hash.as_bytes().ct_eq(hash_hex.as_bytes()).into();
                if !stored_matches || !token.is_active(now) {
                    return Err(DomainError::Unauthorized);
                }
                let user = self
                    .store
                    .user(&token.tenant_id, &token.user_id)
                    .await?
                    .ok_or(DomainError::Unauthorized)?;
                let held: BTreeSet<String> = self
                    .store
                    .user_permissions(&user.id)
                    .await?
                    .into_iter()
                    .collect();
                let permissions = token
                    .scopes
                    .iter()
                    .filter(|s| held.contains(*s))
                    .cloned()
                    .collect();
                self.usage.record(&token.id, now);
                Ok(Principal {
                    user,
                    via: Via::Pat {
                        token_id: token.id,
                        prefix: token.prefix,
                    },
                    permissions,
                })
            }
            CredentialKind::Session => {
                let session = self
                    .store
                    .session_by_hash(&hash_hex)
                    .await?
                    .ok_or(DomainError::Unauthorized)?;
                if session.expires_at <= now {
                    return Err(DomainError::Unauthorized);
                }
                let user = self
                    .store
                    .user(&session.tenant_id, &session.user_id)
                    .await?
                    .ok_or(DomainError::Unauthorized)?;
                let permissions = self
                    .store
                    .user_permissions(&user.id)
                    .await?
                    .into_iter()
                    .collect();
                Ok(Principal {
                    user,
                    via: Via::Session { hash: session.hash },
                    permissions,
                })
            }
        }
    }

    /// The principal's tenant.
    pub async fn tenant_of(&self, principal: &Principal) -> DomainResult<TenantRow> {
        self.store
            .tenant(principal.tenant_id())
            .await?
            .ok_or_else(|| DomainError::Internal("tenant of a signed-in user is missing".into()))
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
