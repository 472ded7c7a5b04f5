//! Hostile requests to the admin token endpoints (`/v1/admin/tokens…`) and to disabling users
//! (`PUT /v1/users/{id}`). None of them may revoke or disable anything the rest of the corpus
//! relies on: bulk revokes here are dry runs, name no real token, or are refused, and no user
//! is disabled.

use super::*;

#[rustfmt::skip]
pub fn cases(_pat: &str) -> Vec<Case> {
    use Cred::*;
    let inv = "/v1/admin/tokens";
    let bulk = "/v1/admin/tokens/revoke";
    let j = |v: Value| Body::Json(v);
    vec![
        case("inventory without credentials", GET, inv, None, Body::None, 401, Some("unauthorized")),
        case("inventory with a PAT lacking audit_tokens", GET, inv, Pat, Body::None, 403, Some("forbidden")),
        case("inventory: SQL in q", GET, "/v1/admin/tokens?q=%27%20OR%201%3D1--", Session, Body::None, 200, Option::None),
        case("inventory: LIKE wildcards in q", GET, "/v1/admin/tokens?q=%25_%25", Session, Body::None, 200, Option::None),
        case("inventory: NUL in q", GET, "/v1/admin/tokens?q=a%00b", Session, Body::None, 422, Some("invalid_request")),
        case("inventory: a credential marker in q", GET, "/v1/admin/tokens?q=kbai_pk_", Session, Body::None, 400, Some("invalid_request")),
        case("inventory: status in capitals", GET, "/v1/admin/tokens?status=ACTIVE", Session, Body::None, 422, Some("invalid_request")),
        case("inventory: status twice", GET, "/v1/admin/tokens?status=active&status=revoked", Session, Body::None, 422, Some("invalid_request")),
        case("inventory: 300-character user_id", GET, &format!("/v1/admin/tokens?user_id={}", "u".repeat(300)), Session, Body::None, 422, Some("invalid_request")),
        case("inventory: negative days", GET, "/v1/admin/tokens?unused_days=-1", Session, Body::None, 422, Some("invalid_request")),
        case("inventory: days past u32", GET, "/v1/admin/tokens?expiring_within_days=99999999999", Session, Body::None, 422, Some("invalid_request")),
        case("inventory: no_expiry=1", GET, "/v1/admin/tokens?no_expiry=1", Session, Body::None, 422, Some("invalid_request")),
        case("inventory: cursor of hex garbage", GET, "/v1/admin/tokens?cursor=ffff00", Session, Body::None, 422, Some("invalid_request")),
        case("inventory: 10 KB cursor", GET, &format!("/v1/admin/tokens?cursor={}", "ab".repeat(5000)), Session, Body::None, 422, Some("invalid_request")),
        case("admin revoke of an id that is SQL", POST, "/v1/admin/tokens/%27%20OR%201%3D1--/revoke", Session, j(json!({"reason": "x"})), 404, Some("not_found")),
        case("admin revoke without a body", POST, "/v1/admin/tokens/x/revoke", Session, Body::None, 415, Option::None),
        case("admin revoke with a null reason", POST, "/v1/admin/tokens/x/revoke", Session, j(json!({"reason": null})), 422, Some("invalid_request")),
        case("bulk revoke: not JSON", POST, bulk, Session, Body::Raw("application/json", b"{ids:".to_vec()), 400, Some("invalid_request")),
        case("bulk revoke: ids not a list", POST, bulk, Session, j(json!({"ids": "all", "reason": "x", "dry_run": true})), 422, Some("invalid_request")),
        case("bulk revoke: numeric ids", POST, bulk, Session, j(json!({"ids": [1, 2], "reason": "x", "dry_run": true})), 422, Some("invalid_request")),
        case("bulk revoke: dry_run as text", POST, bulk, Session, j(json!({"filter": {}, "reason": "x", "dry_run": "yes"})), 422, Some("invalid_request")),
        case("bulk revoke: unknown filter field", POST, bulk, Session, j(json!({"filter": {"owner_email": "x"}, "reason": "x", "dry_run": true})), 422, Some("invalid_request")),
        case("bulk revoke: SQL as an id", POST, bulk, Session, j(json!({"ids": ["' OR 1=1 --"], "reason": "x"})), 200, Option::None),
        case("bulk revoke: a dry run of everything", POST, bulk, Session, j(json!({"filter": {}, "reason": "x", "dry_run": true})), 200, Option::None),
        case("disable a user whose id is SQL", PUT, "/v1/users/%27%20OR%201%3D1--", Session, j(json!({"disabled": true})), 404, Some("not_found")),
        case("disable with a PAT", PUT, "/v1/users/x", Pat, j(json!({"disabled": true})), 403, Some("forbidden")),
        case("disable as a number", PUT, "/v1/users/x", Session, j(json!({"disabled": 1})), 422, Some("invalid_request")),
        case("user update with an unknown field", PUT, "/v1/users/x", Session, j(json!({"disabled": false, "role": "admin"})), 422, Some("invalid_request")),
        case("user update with a control character in the name", PUT, "/v1/users/x", Session, j(json!({"name": "a\u{7}b"})), 422, Some("invalid_request")),
        case("bulk revoke: 70 KB reason", POST, bulk, Session, j(json!({"filter": {}, "reason": "r".repeat(70_000), "dry_run": true})), 413, Option::None),
    ]
}
