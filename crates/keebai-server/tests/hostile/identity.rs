//! Hostile requests to `/v1/me` and `/v1/sessions` (sign-in).

use super::*;

#[rustfmt::skip]
pub fn cases(_pat: &str) -> Vec<Case> {
    use Cred::*;
    vec![
        case("session-looking string in query", GET, "/v1/me?s=kbai_sess_00", Session, Body::None, 400, Some("invalid_request")),
        case("unknown field on sign-in", POST, "/v1/sessions", None, Body::Json(json!({"tenant":"acme","email":"a@b.c","password":"x","mfa":"1"})), 422, Some("invalid_request")),
        case("form body", POST, "/v1/sessions", None, Body::Raw("application/x-www-form-urlencoded", b"tenant=acme".to_vec()), 415, Some("unsupported_media_type")),
        case("SQL-ish tenant at sign-in", POST, "/v1/sessions", None, Body::Json(json!({"tenant":"acme' OR 1=1--","email":"admin@acme.test","password":"x"})), 401, Some("unauthorized")),
        case("unicode e-mail at sign-in", POST, "/v1/sessions", None, Body::Json(json!({"tenant":"acme","email":"ädmin@acme.test","password":"x"})), 401, Some("unauthorized")),
        case("60 KB password at sign-in", POST, "/v1/sessions", None, Body::Json(json!({"tenant":"acme","email":"nobody@acme.test","password":"p".repeat(60_000)})), 401, Some("unauthorized")),
    ]
}
