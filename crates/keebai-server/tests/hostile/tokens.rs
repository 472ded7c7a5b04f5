//! Hostile requests to `/v1/tokens` and its sub-resources: sizes, JSON syntax, wrong types, hostile names, ids.

use super::*;

#[rustfmt::skip]
pub fn cases(_pat: &str) -> Vec<Case> {
    use Cred::*;
    vec![
        case("10 MB body", POST, "/v1/tokens", Session, Body::Raw("application/json", vec![b' '; 10 * 1024 * 1024]), 413, Some("payload_too_large")),
        case("65 KiB name", POST, "/v1/tokens", Session, tok(json!("n".repeat(65 * 1024)), read(), Value::Null), 413, Some("payload_too_large")),
        case("101-char name", POST, "/v1/tokens", Session, tok(json!("n".repeat(101)), read(), Value::Null), 422, Some("invalid_request")),
        case("unknown field on token create", POST, "/v1/tokens", Session, Body::Json(json!({"name":"x","scopes":["messages.read"],"expires_at":null,"user_id":"other"})), 422, Some("invalid_request")),
        case("text/plain body", POST, "/v1/tokens", Session, Body::Raw("text/plain", b"{}".to_vec()), 415, Some("unsupported_media_type")),
        case("truncated JSON", POST, "/v1/tokens", Session, Body::Raw("application/json", b"{\"name\":".to_vec()), 400, Some("invalid_request")),
        case("empty JSON body", POST, "/v1/tokens", Session, Body::Raw("application/json", vec![]), 400, Some("invalid_request")),
        case("invalid UTF-8", POST, "/v1/tokens", Session, Body::Raw("application/json", b"{\"name\":\"\xff\xfe\",\"scopes\":[]}".to_vec()), 400, Some("invalid_request")),
        case("deeply nested JSON", POST, "/v1/tokens", Session, Body::Raw("application/json", format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes()), 422, Some("invalid_request")),
        case("top-level array", POST, "/v1/tokens", Session, Body::Json(json!([1, 2])), 422, Some("invalid_request")),
        case("top-level string", POST, "/v1/tokens", Session, Body::Json(json!("kbai")), 422, Some("invalid_request")),
        case("duplicate keys", POST, "/v1/tokens", Session, Body::Raw("application/json", br#"{"name":"a","name":"b","scopes":["messages.read"]}"#.to_vec()), 422, Some("invalid_request")),
        case("scopes as numbers", POST, "/v1/tokens", Session, tok(json!("x"), json!([1, 2]), Value::Null), 422, Some("invalid_request")),
        case("scopes as a string", POST, "/v1/tokens", Session, tok(json!("x"), json!("messages.read"), Value::Null), 422, Some("invalid_request")),
        case("scopes with null", POST, "/v1/tokens", Session, tok(json!("x"), json!([null]), Value::Null), 422, Some("invalid_request")),
        case("scopes as an object", POST, "/v1/tokens", Session, tok(json!("x"), json!({"messages.read": true}), Value::Null), 422, Some("invalid_request")),
        case("name as a number", POST, "/v1/tokens", Session, tok(json!(42), read(), Value::Null), 422, Some("invalid_request")),
        case("name null", POST, "/v1/tokens", Session, tok(Value::Null, read(), Value::Null), 422, Some("invalid_request")),
        case("name as an array", POST, "/v1/tokens", Session, tok(json!(["a"]), read(), Value::Null), 422, Some("invalid_request")),
        case("expiry as a number", POST, "/v1/tokens", Session, tok(json!("x"), read(), json!(1_900_000_000)), 422, Some("invalid_request")),
        case("expiry as prose", POST, "/v1/tokens", Session, tok(json!("x"), read(), json!("in 90 days")), 422, Some("invalid_request")),
        case("expiry without zone", POST, "/v1/tokens", Session, tok(json!("x"), read(), json!("2030-01-01T00:00:00")), 422, Some("invalid_request")),
        case("negative (past) expiry", POST, "/v1/tokens", Session, tok(json!("x"), read(), json!("1969-12-31T23:59:59Z")), 422, Some("invalid_request")),
        case("expiry now-ish past", POST, "/v1/tokens", Session, tok(json!("x"), read(), json!("2020-01-01T00:00:00Z")), 422, Some("invalid_request")),
        case("five-digit year expiry", POST, "/v1/tokens", Session, tok(json!("x"), read(), json!("+10000-01-01T00:00:00Z")), 422, Some("invalid_request")),
        case("far-future expiry is allowed", POST, "/v1/tokens", Session, tok(json!("far"), read(), json!("9999-12-31T23:59:59Z")), 201, Option::None),
        case("expiry with offset is converted", POST, "/v1/tokens", Session, tok(json!("offset"), read(), json!("2099-06-01T12:00:00+02:00")), 201, Option::None),
        case("SQL-ish name", POST, "/v1/tokens", Session, tok(json!("Robert'); DROP TABLE tokens;--"), read(), Value::Null), 201, Option::None),
        case("emoji and RTL name", POST, "/v1/tokens", Session, tok(json!("🔑 مفتاح ключ"), read(), Value::Null), 201, Option::None),
        case("control character name", POST, "/v1/tokens", Session, tok(json!("a\u{1b}[31mred"), read(), Value::Null), 422, Some("invalid_request")),
        case("unicode-space-only name", POST, "/v1/tokens", Session, tok(json!("\u{2003}\u{3000}"), read(), Value::Null), 422, Some("invalid_request")),
        case("SQL-ish scope", POST, "/v1/tokens", Session, tok(json!("x"), json!(["messages.read' OR '1'='1"]), Value::Null), 422, Some("invalid_request")),
        case("path traversal id", GET, "/v1/tokens/..%2F..%2Fetc%2Fpasswd", Session, Body::None, 404, Some("not_found")),
        case("SQL-ish id", GET, "/v1/tokens/1'%20OR%20'1'='1", Session, Body::None, 404, Some("not_found")),
        case("8 KB id", POST, &format!("/v1/tokens/{}/revoke", "a".repeat(8192)), Session, Body::None, 404, Some("not_found")),
        case("SQL-ish token id on usage", GET, "/v1/tokens/1'%20OR%20'1'='1/usage", Session, Body::None, 404, Some("not_found")),
        case("8 KB unicode id on usage", GET, &format!("/v1/tokens/{}/usage", "%C3%A9".repeat(1400)), Session, Body::None, 404, Some("not_found")),
        case("usage by PAT without manage_tokens scope", GET, "/v1/tokens/anything/usage", Pat, Body::None, 403, Some("forbidden")),
        case("POST to usage", POST, "/v1/tokens/anything/usage", Session, Body::Json(json!({})), 405, Some("method_not_allowed")),
        case("unknown route", GET, "/v1/tokens/x/y/z", Session, Body::None, 404, Some("not_found")),
        case("wrong method", Method::PATCH, "/v1/tokens", Session, Body::None, 405, Some("method_not_allowed")),
        case("token create by PAT", POST, "/v1/tokens", Pat, tok(json!("x"), read(), Value::Null), 403, Some("forbidden")),
    ]
}
