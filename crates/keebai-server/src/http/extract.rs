//! Extractors: the caller's [`Principal`], the client address, both as one [`Ctx`], and JSON
//! bodies whose every
//! rejection is a contract error body.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use keebai_api::wire::ErrorCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::domain::auth::{Principal, Via};
use crate::domain::context::RequestContext;
use crate::domain::Service;

/// The authenticated caller. Records `user_id` and `token_prefix` on the request's span, and
/// leaves a PAT's particulars in the request's [`PatSlot`] for the answer's headers and the use.
pub struct Auth(pub Principal);

/// Set by [`Auth`] when a request authenticated with a PAT; read by the middleware that,
/// once the answer is known, records a success as a use and tells the token's holder about
/// it in headers (`super::pat_answers`).
#[derive(Clone, Default)]
pub struct PatSlot(pub Arc<std::sync::OnceLock<PatCall>>);

/// What the answer to a PAT-authenticated request needs to know about the token.
#[derive(Debug, Clone)]
pub struct PatCall {
    pub token_id: crate::store::TokenId,
    pub expires_at: Option<i64>,
    /// Its effective permissions now: scopes ∩ the user's permissions.
    pub permissions: Arc<std::collections::BTreeSet<String>>,
    /// A rotation's new token, not used before: a success retires its predecessor.
    pub first_use_retires: bool,
}

impl FromRequestParts<Arc<Service>> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, svc: &Arc<Service>) -> Result<Self, ApiError> {
        let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
        let header = match (values.next(), values.next()) {
            // Two Authorization headers are ambiguous; refuse rather than pick one.
            (Some(v), None) => v.to_str().ok(),
            _ => None,
        };
        let principal = svc.authenticate(header).await.map_err(ApiError::from)?;
        let span = tracing::Span::current();
        span.record("user_id", principal.user.id.as_str());
        if let Some(prefix) = principal.token_prefix() {
            span.record("token_prefix", prefix);
        }
        if let (
            Via::Pat {
                token_id,
                expires_at,
                first_use_retires,
                ..
            },
            Some(slot),
        ) = (&principal.via, parts.extensions.get::<PatSlot>())
        {
            let _ = slot.0.set(PatCall {
                token_id: token_id.clone(),
                expires_at: *expires_at,
                permissions: Arc::clone(&principal.permissions),
                first_use_retires: *first_use_retires,
            });
        }
        Ok(Self(principal))
    }
}

/// The client's address: the peer, or behind a trusted proxy the client it forwarded for
/// ([`super::client_ip`]). `None` when the server runs without connect info (in-process tests).
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            client_addr(&parts.extensions, &parts.headers).map(|ip| ip.to_string()),
        ))
    }
}

/// The client address of a request, from its extensions (peer, trusted proxies) and headers.
pub fn client_addr(
    extensions: &axum::http::Extensions,
    headers: &axum::http::HeaderMap,
) -> Option<std::net::IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    let trusted = extensions
        .get::<super::client_ip::TrustedProxies>()
        .map(|t| &*t.0)
        .unwrap_or(&[]);
    Some(super::client_ip::client_ip(peer, headers, trusted))
}

impl ClientIp {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// The authenticated caller and their client address: the [`RequestContext`] of an action
/// that changes something (and is audited).
pub struct Ctx(pub RequestContext);

impl FromRequestParts<Arc<Service>> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, svc: &Arc<Service>) -> Result<Self, ApiError> {
        let Auth(principal) = Auth::from_request_parts(parts, svc).await?;
        let ip = client_addr(&parts.extensions, &parts.headers).map(|ip| ip.to_string());
        Ok(Self(RequestContext::new(principal, ip)))
    }
}

/// `Json<T>` with contract errors: 415 without a JSON content type, 400 for malformed JSON,
/// 422 for a body of the wrong shape (including unknown fields), 413 when too large.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(match rejection {
                JsonRejection::JsonDataError(e) => ApiError::invalid(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "the body does not match the expected fields: {}",
                        body_error_text(&e.body_text())
                    ),
                ),
                JsonRejection::JsonSyntaxError(_) => {
                    ApiError::invalid(StatusCode::BAD_REQUEST, "the body is not valid JSON")
                }
                JsonRejection::MissingJsonContentType(_) => ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ErrorCode::UnsupportedMediaType,
                    "send the body as application/json",
                ),
                other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE)
                }
                other => ApiError::invalid(
                    StatusCode::BAD_REQUEST,
                    format!("unreadable body ({})", other.status()),
                ),
            }),
        }
    }
}

/// serde's message without axum's prefix, capped so a hostile body cannot echo itself back.
fn body_error_text(text: &str) -> String {
    let t = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text);
    t.chars().take(200).collect()
}
