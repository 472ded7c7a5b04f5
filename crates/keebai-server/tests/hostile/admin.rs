//! Hostile requests to `/v1/roles` and `/v1/users`.

use super::*;

#[rustfmt::skip]
pub fn cases(_pat: &str) -> Vec<Case> {
    use Cred::*;
    vec![
        case("unknown field on role create", POST, "/v1/roles", Session, Body::Json(json!({"name":"r","permissions":[],"builtin":true})), 422, Some("invalid_request")),
        case("unknown field on role update", PUT, "/v1/roles/x", Session, Body::Json(json!({"permissions":[],"builtin":true})), 422, Some("invalid_request")),
        case("role permissions not a list", PUT, "/v1/roles/x", Session, Body::Json(json!({"permissions":"all"})), 422, Some("invalid_request")),
        case("unknown field on user create", POST, "/v1/users", Session, Body::Json(json!({"email":"e@x.y","name":"n","password":"long-password-1","role_ids":[],"admin":true})), 422, Some("invalid_request")),
        case("user role_ids not a list", POST, "/v1/users", Session, Body::Json(json!({"email":"e@x.y","name":"n","password":"long-password-1","role_ids":"admin"})), 422, Some("invalid_request")),
    ]
}
