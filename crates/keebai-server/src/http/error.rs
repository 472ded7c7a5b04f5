//! The HTTP error: one status, one `{code, message}` body per failure. Internal failures are
//! logged here with their detail and answered with a generic message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use keebai_api::wire::{ErrorBody, ErrorCode, ErrorDetail};

use crate::domain::DomainError;
use crate::store::StoreError;

/// The one body every bad credential gets, whatever the reason.
pub const UNAUTHORIZED_MESSAGE: &str = "missing or invalid credentials";

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
    /// The permission a 403 was missing; sent as `Keebai-Required-Permission` to PATs.
    pub required_permission: Option<String>,
}

/// Left in a 403 answer's extensions by [`ApiError`]: the permission the caller lacked. The
/// middleware that knows the credential turns it into a header for PAT-authenticated answers.
#[derive(Debug, Clone)]
pub struct RequiredPermission(pub String);

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
            required_permission: None,
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            UNAUTHORIZED_MESSAGE,
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "not found")
    }

    pub fn invalid(status: StatusCode, message: impl Into<String>) -> Self {
        Self::new(status, ErrorCode::InvalidRequest, message)
    }

    /// The error body for a bare status produced outside our handlers (router, limits, timeouts).
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => Self::new(
                status,
                ErrorCode::MethodNotAllowed,
                "method not allowed on this path",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                status,
                ErrorCode::PayloadTooLarge,
                "the request body is over the 64 KiB limit",
            ),
            StatusCode::REQUEST_TIMEOUT => {
                Self::new(status, ErrorCode::Unavailable, "the request took too long")
            }
            StatusCode::UNAUTHORIZED => Self::unauthorized(),
            s if s.is_client_error() => Self::invalid(s, "the request could not be processed"),
            s if s == StatusCode::SERVICE_UNAVAILABLE => Self::new(
                s,
                ErrorCode::Unavailable,
                "the service is unavailable; try again",
            ),
            s => Self::new(s, ErrorCode::Internal, "internal error"),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Unauthorized => Self::unauthorized(),
            DomainError::Forbidden(m) => Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, m),
            DomainError::MissingPermission(p) => Self {
                message: format!("this needs the {p} permission"),
                required_permission: Some(p),
                ..Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "")
            },
            DomainError::Conflict(m) => Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, m),
            DomainError::NotFound => Self::not_found(),
            DomainError::Invalid { field, message } => {
                let message = match field {
                    Some(f) => format!("{f}: {message}"),
                    None => message,
                };
                Self {
                    field: field.map(str::to_owned),
                    ..Self::invalid(StatusCode::UNPROCESSABLE_ENTITY, message)
                }
            }
            e @ DomainError::TokenLimitReached(_) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::TokenLimitReached,
                e.to_string(),
            ),
            e @ DomainError::RateLimited { retry_after_secs } => Self {
                retry_after: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::RateLimited,
                    e.to_string(),
                )
            },
            DomainError::Store(StoreError::Unavailable(detail)) => {
                tracing::error!(%detail, "database unavailable");
                Self::for_status(StatusCode::SERVICE_UNAVAILABLE)
            }
            DomainError::Store(e) => {
                tracing::error!(error = %e, "storage error");
                Self::for_status(StatusCode::INTERNAL_SERVER_ERROR)
            }
            DomainError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Self::for_status(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                field: self.field,
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"keebai\""),
            );
        }
        if let Some(p) = self.required_permission {
            resp.extensions_mut().insert(RequiredPermission(p));
        }
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
