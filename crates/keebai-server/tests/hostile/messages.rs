//! Hostile requests to `/v1/messages`: credentials in the URL, bodies, scopes, headers.

use super::*;

#[rustfmt::skip]
pub fn cases(pat: &str) -> Vec<Case> {
    use Cred::*;
    vec![
        case("pat in query", GET, &format!("/v1/messages?access_token={pat}"), None, Body::None, 400, Some("invalid_request")),
        case("pat in query, percent-encoded", GET, &format!("/v1/messages?t={}", pat.replace("_", "%5f")), None, Body::None, 400, Some("invalid_request")),
        case("pat in query with a valid header too", GET, &format!("/v1/messages?x={pat}"), Pat, Body::None, 400, Some("invalid_request")),
        case("5000-char message", POST, "/v1/messages", Session, Body::Json(json!({"body": "m".repeat(5000)})), 422, Some("invalid_request")),
        case("unknown field on message", POST, "/v1/messages", Session, Body::Json(json!({"body":"hi","author_id":"someone"})), 422, Some("invalid_request")),
        case("no content type", POST, "/v1/messages", Session, Body::Raw("", b"{\"body\":\"x\"}".to_vec()), 415, Some("unsupported_media_type")),
        case("empty message", POST, "/v1/messages", Session, Body::Json(json!({"body":"   "})), 422, Some("invalid_request")),
        case("message by PAT without write scope", POST, "/v1/messages", Pat, Body::Json(json!({"body":"x"})), 403, Some("forbidden")),
    ]
}
