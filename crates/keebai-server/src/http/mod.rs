//! The HTTP surface: routes, middleware, errors, extractors and the OpenAPI document.
//!
//! Middleware, outermost first: request id → tracing span (route template only, never the
//! raw URL, which could carry a credential) → credential-in-URL refusal → panic catcher →
//! timeout → body limit → JSON error bodies for every bare status the stack produces → PAT
//! answers (the token's expiry and scopes in headers; a success counts as a use).

pub mod admin;
pub mod client_ip;
pub mod error;
pub mod extract;
pub mod inventory;
pub mod meta;
pub mod openapi;
pub mod policy;
pub mod resources;
pub mod sessions;
pub mod tokens;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::domain::Service;
use error::ApiError;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest a request may take before it is answered with an error.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// On answers to PAT-authenticated requests: when the token expires (absent if never).
pub const TOKEN_EXPIRES: HeaderName = HeaderName::from_static("keebai-token-expires");
/// On answers to PAT-authenticated requests: its effective permissions, comma-separated.
pub const TOKEN_SCOPES: HeaderName = HeaderName::from_static("keebai-token-scopes");
/// On a PAT's 403 for a missing permission: the permission it needed.
pub const REQUIRED_PERMISSION: HeaderName = HeaderName::from_static("keebai-required-permission");

/// Builds the application router over `svc`.
pub fn router(svc: Arc<Service>) -> Router {
    let api = Router::new()
        .route("/healthz", get(meta::healthz))
        .route("/v1/openapi.json", get(meta::openapi))
        .route("/v1/sessions", post(sessions::create))
        .route("/v1/sessions/current", delete(sessions::delete_current))
        .route("/v1/me", get(sessions::me))
        .route("/v1/permissions", get(admin::permissions))
        .route("/v1/roles", get(admin::roles).post(admin::create_role))
        .route("/v1/roles/{id}", put(admin::update_role))
        .route("/v1/users", get(admin::users).post(admin::create_user))
        .route("/v1/users/{id}", put(admin::update_user))
        .route("/v1/users/{id}/roles", put(admin::set_user_roles))
        .route("/v1/audit-events", get(admin::audit_events))
        .route("/v1/tenant/token-policy", get(policy::get).put(policy::put))
        .route("/v1/admin/tokens", get(inventory::list))
        .route("/v1/admin/tokens/revoke", post(inventory::bulk_revoke))
        .route("/v1/admin/tokens/{id}/revoke", post(inventory::revoke))
        .route("/v1/tokens", get(tokens::list).post(tokens::create))
        .route("/v1/tokens/self", get(tokens::get_self))
        .route("/v1/tokens/self/rotate", post(tokens::rotate_self))
        .route("/v1/tokens/{id}", get(tokens::get))
        .route("/v1/tokens/{id}/rotate", post(tokens::rotate))
        .route("/v1/tokens/{id}/revoke", post(tokens::revoke))
        .route("/v1/tokens/{id}/usage", get(tokens::usage))
        .route("/v1/messages", get(resources::list).post(resources::post))
        .fallback(|| async { ApiError::not_found() })
        .layer(middleware::from_fn_with_state(
            Arc::clone(&svc),
            pat_answers,
        ))
        .with_state(Arc::clone(&svc));

    api.layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR).into_response()
        }))
        .layer(middleware::map_response(json_error_bodies))
        .layer(middleware::from_fn(refuse_credentials_in_url))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&svc),
            refuse_on_clock_skew,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("<unmatched>", MatchedPath::as_str);
                    let request_id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        route,
                        request_id,
                        user_id = tracing::field::Empty,
                        token_prefix = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// For a request made with a PAT: tells the holder about its token on every answer
/// (`Keebai-Token-Expires`, `Keebai-Token-Scopes`, and on a 403 for a missing permission
/// `Keebai-Required-Permission`), and counts a success as a use of the token ("Last used:
/// timestamp of the last successful request") — a rotation's new token's first success also
/// starts its predecessor's retirement. Session-authenticated answers get none of this.
async fn pat_answers(State(svc): State<Arc<Service>>, mut req: Request, next: Next) -> Response {
    if !req.headers().contains_key(header::AUTHORIZATION) {
        return next.run(req).await;
    }
    let slot = extract::PatSlot::default();
    let ip = extract::client_addr(req.extensions(), req.headers());
    req.extensions_mut().insert(slot.clone());
    let mut resp = next.run(req).await;
    let Some(call) = slot.0.get() else {
        return resp;
    };
    if resp.status().is_success() {
        svc.usage
            .record(&call.token_id, crate::domain::now_ts(), ip);
        if call.first_use_retires {
            svc.first_use(&call.token_id).await;
        }
    }
    token_headers(&mut resp, call);
    resp
}

fn token_headers(resp: &mut Response, call: &extract::PatCall) {
    let required = resp
        .extensions()
        .get::<error::RequiredPermission>()
        .map(|r| r.0.clone());
    let headers = resp.headers_mut();
    if let Some(at) = call.expires_at {
        let text = crate::domain::from_ts(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if let Ok(v) = HeaderValue::from_str(&text) {
            headers.insert(TOKEN_EXPIRES, v);
        }
    }
    let scopes = call
        .permissions
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(",");
    if let Ok(v) = HeaderValue::from_str(&scopes) {
        headers.insert(TOKEN_SCOPES, v);
    }
    if let Some(Ok(v)) = required.map(|p| HeaderValue::from_str(&p)) {
        headers.insert(REQUIRED_PERMISSION, v);
    }
}

/// A replica whose clock is too far off the database's cannot judge expiry, so it answers
/// nothing but 503 (health checks included, so a load balancer takes it out of rotation).
async fn refuse_on_clock_skew(
    State(svc): State<Arc<Service>>,
    req: Request,
    next: Next,
) -> Response {
    match svc.store.clock_skew_ms() {
        None => next.run(req).await,
        Some(skew) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            keebai_api::wire::ErrorCode::Unavailable,
            format!(
                "this server's clock is {skew} ms off the database's (over the 1 s allowed), so it \
                 cannot judge token expiry; it serves again once its time is synchronised"
            ),
        )
        .into_response(),
    }
}

/// A credential in the query string is refused outright (and never logged: the trace span
/// records the route template, not the URL).
async fn refuse_credentials_in_url(req: Request, next: Next) -> Response {
    let query = req.uri().query().unwrap_or("").to_ascii_lowercase();
    let decoded = percent_decode_lossy(&query);
    if decoded.contains("kbai_pk_") || decoded.contains("kbai_sess_") {
        return ApiError::invalid(
            StatusCode::BAD_REQUEST,
            "credentials are never accepted in a URL; send them in the Authorization header",
        )
        .into_response();
    }
    next.run(req).await
}

fn percent_decode_lossy(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_ascii_lowercase()
}

/// Gives every error response without a JSON body (router 404/405, body limit 413, timeouts,
/// panics) the contract's `{"error": {...}}` body.
async fn json_error_bodies(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let mut fresh = ApiError::for_status(status).into_response();
        if let Some(allow) = resp.headers().get(header::ALLOW) {
            fresh.headers_mut().insert(header::ALLOW, allow.clone());
        }
        return fresh;
    }
    resp
}
