//! The domain's failure vocabulary; the HTTP layer maps each variant to one status and code.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Any bad credential. One variant, so every reason gets the identical answer.
    #[error("missing or invalid credentials")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    /// 403 because the caller lacks this permission (named in `Keebai-Required-Permission`).
    #[error("this needs the {0} permission")]
    MissingPermission(String),
    /// 409: the current state forbids the change.
    #[error("{0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    /// Syntactically fine but semantically wrong input (422).
    #[error("{message}")]
    Invalid {
        field: Option<&'static str>,
        message: String,
    },
    #[error(
        "you already have the maximum of {0} active tokens; revoke one before creating another"
    )]
    TokenLimitReached(u32),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: Some(field),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
