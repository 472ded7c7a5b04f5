//! Hostile requests to `/v1/audit-events` query parameters.

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
    ]
}
