//! Hostile requests to `/v1/audit-events` query parameters and `/v1/tenant/token-policy`
//! bodies (none of which may change the policy).

use super::*;

#[rustfmt::skip]
pub fn cases(_pat: &str) -> Vec<Case> {
    use Cred::*;
    vec![
        case("unknown query parameter", GET, "/v1/audit-events?foo=1", Session, Body::None, 422, Some("invalid_request")),
        case("limit 0", GET, "/v1/audit-events?limit=0", Session, Body::None, 422, Some("invalid_request")),
        case("limit 501", GET, "/v1/audit-events?limit=501", Session, Body::None, 422, Some("invalid_request")),
        case("limit not a number", GET, "/v1/audit-events?limit=ten", Session, Body::None, 422, Some("invalid_request")),
        case("negative limit", GET, "/v1/audit-events?limit=-1", Session, Body::None, 422, Some("invalid_request")),
        case("garbage cursor", GET, "/v1/audit-events?cursor=%00%01", Session, Body::None, 422, Some("invalid_request")),
        case("since not a time", GET, "/v1/audit-events?since=yesterday", Session, Body::None, 422, Some("invalid_request")),
        case("until before since", GET, "/v1/audit-events?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", Session, Body::None, 422, Some("invalid_request")),
        case("action filter that is SQL", GET, "/v1/audit-events?action=%27%20OR%201%3D1--", Session, Body::None, 200, Option::None),
        case("policy: unknown field", PUT, "/v1/tenant/token-policy", Session, Body::Json(json!({"max_lifetime_days":30,"require_expiration":true,"exempt":["admin"]})), 422, Some("invalid_request")),
        case("policy: zero days", PUT, "/v1/tenant/token-policy", Session, Body::Json(json!({"max_lifetime_days":0,"require_expiration":true})), 422, Some("invalid_request")),
        case("policy: days as text", PUT, "/v1/tenant/token-policy", Session, Body::Json(json!({"max_lifetime_days":"30","require_expiration":true})), 422, Some("invalid_request")),
        case("policy: five-digit days", PUT, "/v1/tenant/token-policy", Session, Body::Json(json!({"max_lifetime_days":36500,"require_expiration":true})), 422, Some("invalid_request")),
        case("policy: set with a PAT", PUT, "/v1/tenant/token-policy", Pat, Body::Json(json!({"max_lifetime_days":30,"require_expiration":true})), 403, Some("forbidden")),
        case("policy: read without a credential", GET, "/v1/tenant/token-policy", Cred::None, Body::None, 401, Some("unauthorized")),
    ]
}
