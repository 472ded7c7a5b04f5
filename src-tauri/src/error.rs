//! The one error type every command returns to the web view: `{code, message}`.
//!
//! The UI switches on `code` (a stable snake_case string), never on `message`, which is the
//! human sentence shown to the user. Server error codes pass through unchanged; the codes below
//! `Internal` are the app's own (network, keyring, clipboard, local state).

use keebai_api::wire::ErrorCode as WireCode;
use serde::Serialize;

/// Stable identifiers the UI switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Passed through from the server's `{"error":{"code"}}`.
    Unauthorized,
    Forbidden,
    NotFound,
    InvalidRequest,
    TokenLimitReached,
    /// The current state forbids the change (a token already replaced by rotation).
    Conflict,
    RateLimited,
    Internal,
    // The app's own.
    /// The server could not be reached (DNS, refused, timeout).
    ServerUnreachable,
    /// The TLS handshake failed (bad certificate, wrong host name, not TLS).
    TlsError,
    /// The Server field is not an http(s) URL.
    InvalidServerUrl,
    /// The Server field names plain `http://` to a host other than this computer (refused
    /// before anything is sent).
    InsecureServerUrl,
    /// The server answered with a redirect, which the app does not follow.
    ServerRedirected,
    /// The server answered something that is not the Keebai contract.
    UnexpectedResponse,
    /// No session: sign in first.
    NotSignedIn,
    /// The OS keyring is locked, absent or refused the request.
    KeyringUnavailable,
    /// The clipboard could not be used.
    ClipboardUnavailable,
    /// Copy/discard was asked for but no freshly created token is being shown.
    NoCreatedToken,
    /// The local cache or settings could not be read or written.
    LocalStorage,
}

impl ErrorCode {
    /// The stable string form, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::InvalidRequest => "invalid_request",
            Self::TokenLimitReached => "token_limit_reached",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
            Self::ServerUnreachable => "server_unreachable",
            Self::TlsError => "tls_error",
            Self::InvalidServerUrl => "invalid_server_url",
            Self::InsecureServerUrl => "insecure_server_url",
            Self::ServerRedirected => "server_redirected",
            Self::UnexpectedResponse => "unexpected_response",
            Self::NotSignedIn => "not_signed_in",
            Self::KeyringUnavailable => "keyring_unavailable",
            Self::ClipboardUnavailable => "clipboard_unavailable",
            Self::NoCreatedToken => "no_created_token",
            Self::LocalStorage => "local_storage",
        }
    }
}

impl From<WireCode> for ErrorCode {
    fn from(code: WireCode) -> Self {
        match code {
            WireCode::Unauthorized => Self::Unauthorized,
            WireCode::Forbidden => Self::Forbidden,
            WireCode::NotFound => Self::NotFound,
            WireCode::InvalidRequest
            | WireCode::PayloadTooLarge
            | WireCode::MethodNotAllowed
            | WireCode::UnsupportedMediaType => Self::InvalidRequest,
            WireCode::TokenLimitReached => Self::TokenLimitReached,
            WireCode::Conflict => Self::Conflict,
            WireCode::RateLimited => Self::RateLimited,
            WireCode::Unavailable => Self::ServerUnreachable,
            WireCode::Internal => Self::Internal,
        }
    }
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[error("{code:?}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// The request field a validation error is about, when the server named one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub field: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn not_signed_in() -> Self {
        Self::new(
            ErrorCode::NotSignedIn,
            "You are signed out. Sign in to continue.",
        )
    }

    pub fn local_storage(what: &str, e: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorCode::LocalStorage,
            format!("Could not use the app's {what}: {e}"),
        )
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let e = AppError::new(ErrorCode::TokenLimitReached, "limit");
        let json = serde_json::to_value(&e).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"code": "token_limit_reached", "message": "limit"})
        );
    }

    #[test]
    fn as_str_matches_serde() {
        for code in [
            ErrorCode::ServerUnreachable,
            ErrorCode::TlsError,
            ErrorCode::InsecureServerUrl,
            ErrorCode::ServerRedirected,
            ErrorCode::KeyringUnavailable,
            ErrorCode::NoCreatedToken,
            ErrorCode::InvalidRequest,
        ] {
            let json = serde_json::to_value(code).expect("json");
            assert_eq!(json, serde_json::Value::String(code.as_str().into()));
        }
    }
}
