//! The hostile-request corpus: malformed, oversized and malicious requests, each with the
//! answer the contract defines for it. None may produce a 5xx or change data it shouldn't.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{Caller, TestServer};

#[derive(Clone, Copy)]
enum Cred {
    None,
    Session,
    Pat,
}

enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

struct Case {
    what: &'static str,
    method: Method,
    path: String,
    cred: Cred,
    headers: Vec<(&'static str, String)>,
    body: Body,
    status: u16,
    code: Option<&'static str>,
}

fn case(
    what: &'static str,
    method: Method,
    path: &str,
    cred: Cred,
    body: Body,
    status: u16,
    code: Option<&'static str>,
) -> Case {
    Case {
        what,
        method,
        path: path.into(),
        cred,
        headers: vec![],
        body,
        status,
        code,
    }
}

fn token_body(v: Value) -> Body {
    Body::Json(v)
}

fn corpus(pat: &str) -> Vec<Case> {
    use Cred::*;
    let post = Method::POST;
    let get = Method::GET;
    let put = Method::PUT;
    let tok = |name: Value, scopes: Value, exp: Value| {
        token_body(json!({"name": name, "scopes": scopes, "expires_at": exp}))
    };
    let r = || json!(["messages.read"]);
    let n = Value::Null;
    let mut c = vec![
        // Credentials in the URL.
        case(
            "pat in query",
            get.clone(),
            &format!("/v1/messages?access_token={pat}"),
            None,
            Body::None,
            400,
            Some("invalid_request"),
        ),
        case(
            "pat in query, percent-encoded",
            get.clone(),
            &format!("/v1/messages?t={}", pat.replace("_", "%5f")),
            None,
            Body::None,
            400,
            Some("invalid_request"),
        ),
        case(
            "session-looking string in query",
            get.clone(),
            "/v1/me?s=kbai_sess_00",
            Session,
            Body::None,
            400,
            Some("invalid_request"),
        ),
        case(
            "pat in query with a valid header too",
            get.clone(),
            &format!("/v1/messages?x={pat}"),
            Pat,
            Body::None,
            400,
            Some("invalid_request"),
        ),
        // Sizes.
        case(
            "10 MB body",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Raw("application/json", vec![b' '; 10 * 1024 * 1024]),
            413,
            Some("payload_too_large"),
        ),
        case(
            "65 KiB name",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("n".repeat(65 * 1024)), r(), n.clone()),
            413,
            Some("payload_too_large"),
        ),
        case(
            "101-char name",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("n".repeat(101)), r(), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "5000-char message",
            post.clone(),
            "/v1/messages",
            Session,
            Body::Json(json!({"body": "m".repeat(5000)})),
            422,
            Some("invalid_request"),
        ),
        // Unknown fields, everywhere.
        case(
            "unknown field on token create",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Json(
                json!({"name":"x","scopes":["messages.read"],"expires_at":null,"user_id":"other"}),
            ),
            422,
            Some("invalid_request"),
        ),
        case(
            "unknown field on sign-in",
            post.clone(),
            "/v1/sessions",
            None,
            Body::Json(json!({"tenant":"acme","email":"a@b.c","password":"x","mfa":"1"})),
            422,
            Some("invalid_request"),
        ),
        case(
            "unknown field on role create",
            post.clone(),
            "/v1/roles",
            Session,
            Body::Json(json!({"name":"r","permissions":[],"builtin":true})),
            422,
            Some("invalid_request"),
        ),
        case(
            "unknown field on role update",
            put.clone(),
            "/v1/roles/x",
            Session,
            Body::Json(json!({"permissions":[],"builtin":true})),
            422,
            Some("invalid_request"),
        ),
        case(
            "unknown field on user create",
            post.clone(),
            "/v1/users",
            Session,
            Body::Json(
                json!({"email":"e@x.y","name":"n","password":"long-password-1","role_ids":[],"admin":true}),
            ),
            422,
            Some("invalid_request"),
        ),
        case(
            "unknown field on message",
            post.clone(),
            "/v1/messages",
            Session,
            Body::Json(json!({"body":"hi","author_id":"someone"})),
            422,
            Some("invalid_request"),
        ),
        case(
            "unknown query parameter",
            get.clone(),
            "/v1/audit-events?foo=1",
            Session,
            Body::None,
            422,
            Some("invalid_request"),
        ),
        // Content types and JSON syntax.
        case(
            "text/plain body",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Raw("text/plain", b"{}".to_vec()),
            415,
            Some("unsupported_media_type"),
        ),
        case(
            "form body",
            post.clone(),
            "/v1/sessions",
            None,
            Body::Raw("application/x-www-form-urlencoded", b"tenant=acme".to_vec()),
            415,
            Some("unsupported_media_type"),
        ),
        case(
            "no content type",
            post.clone(),
            "/v1/messages",
            Session,
            Body::Raw("", b"{\"body\":\"x\"}".to_vec()),
            415,
            Some("unsupported_media_type"),
        ),
        case(
            "truncated JSON",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Raw("application/json", b"{\"name\":".to_vec()),
            400,
            Some("invalid_request"),
        ),
        case(
            "empty JSON body",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Raw("application/json", vec![]),
            400,
            Some("invalid_request"),
        ),
        case(
            "invalid UTF-8",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Raw(
                "application/json",
                b"{\"name\":\"\xff\xfe\",\"scopes\":[]}".to_vec(),
            ),
            400,
            Some("invalid_request"),
        ),
        case(
            "deeply nested JSON",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Raw(
                "application/json",
                format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            ),
            422,
            Some("invalid_request"),
        ),
        case(
            "top-level array",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Json(json!([1, 2])),
            422,
            Some("invalid_request"),
        ),
        case(
            "top-level string",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Json(json!("kbai")),
            422,
            Some("invalid_request"),
        ),
        case(
            "duplicate keys",
            post.clone(),
            "/v1/tokens",
            Session,
            Body::Raw(
                "application/json",
                br#"{"name":"a","name":"b","scopes":["messages.read"]}"#.to_vec(),
            ),
            422,
            Some("invalid_request"),
        ),
        // Wrong types.
        case(
            "scopes as numbers",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), json!([1, 2]), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "scopes as a string",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), json!("messages.read"), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "scopes with null",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), json!([null]), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "scopes as an object",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), json!({"messages.read": true}), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "name as a number",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!(42), r(), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "name null",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(n.clone(), r(), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "name as an array",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!(["a"]), r(), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "expiry as a number",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), r(), json!(1_900_000_000)),
            422,
            Some("invalid_request"),
        ),
        case(
            "expiry as prose",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), r(), json!("in 90 days")),
            422,
            Some("invalid_request"),
        ),
        case(
            "expiry without zone",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), r(), json!("2030-01-01T00:00:00")),
            422,
            Some("invalid_request"),
        ),
        case(
            "negative (past) expiry",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), r(), json!("1969-12-31T23:59:59Z")),
            422,
            Some("invalid_request"),
        ),
        case(
            "expiry now-ish past",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), r(), json!("2020-01-01T00:00:00Z")),
            422,
            Some("invalid_request"),
        ),
        case(
            "five-digit year expiry",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), r(), json!("+10000-01-01T00:00:00Z")),
            422,
            Some("invalid_request"),
        ),
        case(
            "far-future expiry is allowed",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("far"), r(), json!("9999-12-31T23:59:59Z")),
            201,
            Option::None,
        ),
        case(
            "expiry with offset is converted",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("offset"), r(), json!("2099-06-01T12:00:00+02:00")),
            201,
            Option::None,
        ),
        // Names that are hostile but legal are stored verbatim.
        case(
            "SQL-ish name",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("Robert'); DROP TABLE tokens;--"), r(), n.clone()),
            201,
            Option::None,
        ),
        case(
            "emoji and RTL name",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("🔑 مفتاح ключ"), r(), n.clone()),
            201,
            Option::None,
        ),
        case(
            "control character name",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("a\u{1b}[31mred"), r(), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "unicode-space-only name",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("\u{2003}\u{3000}"), r(), n.clone()),
            422,
            Some("invalid_request"),
        ),
        case(
            "SQL-ish scope",
            post.clone(),
            "/v1/tokens",
            Session,
            tok(json!("x"), json!(["messages.read' OR '1'='1"]), n.clone()),
            422,
            Some("invalid_request"),
        ),
        // Identity and ids.
        case(
            "SQL-ish tenant at sign-in",
            post.clone(),
            "/v1/sessions",
            None,
            Body::Json(json!({"tenant":"acme' OR 1=1--","email":"admin@acme.test","password":"x"})),
            401,
            Some("unauthorized"),
        ),
        case(
            "unicode e-mail at sign-in",
            post.clone(),
            "/v1/sessions",
            None,
            Body::Json(json!({"tenant":"acme","email":"ädmin@acme.test","password":"x"})),
            401,
            Some("unauthorized"),
        ),
        case(
            "60 KB password at sign-in",
            post.clone(),
            "/v1/sessions",
            None,
            Body::Json(
                json!({"tenant":"acme","email":"nobody@acme.test","password":"p".repeat(60_000)}),
            ),
            401,
            Some("unauthorized"),
        ),
        case(
            "path traversal id",
            get.clone(),
            "/v1/tokens/..%2F..%2Fetc%2Fpasswd",
            Session,
            Body::None,
            404,
            Some("not_found"),
        ),
        case(
            "SQL-ish id",
            get.clone(),
            "/v1/tokens/1'%20OR%20'1'='1",
            Session,
            Body::None,
            404,
            Some("not_found"),
        ),
        case(
            "8 KB id",
            post.clone(),
            &format!("/v1/tokens/{}/revoke", "a".repeat(8192)),
            Session,
            Body::None,
            404,
            Some("not_found"),
        ),
        case(
            "SQL-ish token id on usage",
            get.clone(),
            "/v1/tokens/1'%20OR%20'1'='1/usage",
            Session,
            Body::None,
            404,
            Some("not_found"),
        ),
        case(
            "8 KB unicode id on usage",
            get.clone(),
            &format!("/v1/tokens/{}/usage", "%C3%A9".repeat(1400)),
            Session,
            Body::None,
            404,
            Some("not_found"),
        ),
        case(
            "usage by PAT without manage_tokens scope",
            get.clone(),
            "/v1/tokens/anything/usage",
            Pat,
            Body::None,
            403,
            Some("forbidden"),
        ),
        case(
            "POST to usage",
            post.clone(),
            "/v1/tokens/anything/usage",
            Session,
            Body::Json(json!({})),
            405,
            Some("method_not_allowed"),
        ),
        case(
            "unknown route",
            get.clone(),
            "/v1/tokens/x/y/z",
            Session,
            Body::None,
            404,
            Some("not_found"),
        ),
        case(
            "wrong method",
            Method::PATCH,
            "/v1/tokens",
            Session,
            Body::None,
            405,
            Some("method_not_allowed"),
        ),
        // Query parameters.
        case(
            "limit 0",
            get.clone(),
            "/v1/audit-events?limit=0",
            Session,
            Body::None,
            422,
            Some("invalid_request"),
        ),
        case(
            "limit 501",
            get.clone(),
            "/v1/audit-events?limit=501",
            Session,
            Body::None,
            422,
            Some("invalid_request"),
        ),
        case(
            "limit not a number",
            get.clone(),
            "/v1/audit-events?limit=ten",
            Session,
            Body::None,
            422,
            Some("invalid_request"),
        ),
        case(
            "negative limit",
            get.clone(),
            "/v1/audit-events?limit=-1",
            Session,
            Body::None,
            422,
            Some("invalid_request"),
        ),
        case(
            "garbage cursor",
            get.clone(),
            "/v1/audit-events?cursor=%00%01",
            Session,
            Body::None,
            422,
            Some("invalid_request"),
        ),
        // Other bodies.
        case(
            "role permissions not a list",
            put.clone(),
            "/v1/roles/x",
            Session,
            Body::Json(json!({"permissions":"all"})),
            422,
            Some("invalid_request"),
        ),
        case(
            "user role_ids not a list",
            post.clone(),
            "/v1/users",
            Session,
            Body::Json(
                json!({"email":"e@x.y","name":"n","password":"long-password-1","role_ids":"admin"}),
            ),
            422,
            Some("invalid_request"),
        ),
        case(
            "empty message",
            post.clone(),
            "/v1/messages",
            Session,
            Body::Json(json!({"body":"   "})),
            422,
            Some("invalid_request"),
        ),
        case(
            "message by PAT without write scope",
            post.clone(),
            "/v1/messages",
            Pat,
            Body::Json(json!({"body":"x"})),
            403,
            Some("forbidden"),
        ),
        case(
            "token create by PAT",
            post.clone(),
            "/v1/tokens",
            Pat,
            tok(json!("x"), r(), n.clone()),
            403,
            Some("forbidden"),
        ),
    ];
    let mut huge = case(
        "1 MB header",
        get.clone(),
        "/v1/messages",
        Pat,
        Body::None,
        431,
        Option::None,
    );
    huge.headers.push(("x-padding", "h".repeat(1024 * 1024)));
    c.push(huge);
    let mut many = case(
        "method override header is ignored",
        get,
        "/v1/messages",
        Pat,
        Body::None,
        200,
        Option::None,
    );
    many.headers
        .push(("x-http-method-override", "DELETE".into()));
    c.push(many);
    c
}

async fn send(srv: &TestServer, caller: &Caller, pat: &str, c: &Case) -> (u16, Value) {
    let len = match &c.body {
        Body::Raw(_, bytes) => bytes.len(),
        Body::Json(v) => v.to_string().len(),
        Body::None => 0,
    };
    if len > 64 * 1024 {
        return srv
            .send_head(c.method.as_str(), &c.path, &caller.session, len)
            .await;
    }
    let mut req = srv.http().request(c.method.clone(), srv.url(&c.path));
    match c.cred {
        Cred::None => {}
        Cred::Session => req = req.bearer_auth(&caller.session),
        Cred::Pat => req = req.bearer_auth(pat),
    }
    for (k, v) in &c.headers {
        req = req.header(*k, v);
    }
    req = match &c.body {
        Body::None => req,
        Body::Json(v) => req.json(v),
        Body::Raw(ct, bytes) => {
            let r = if ct.is_empty() {
                req
            } else {
                req.header("content-type", *ct)
            };
            r.body(bytes.clone())
        }
    };
    match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        // The server may close the connection on an oversized request after answering.
        Err(e) => panic!("{}: transport error {e}", c.what),
    }
}

#[tokio::test]
async fn every_hostile_request_gets_its_defined_answer() {
    let srv = TestServer::start().await;
    let admin = srv.admin().await;
    let (pat, _) = srv.mint(&admin, "reader", &["messages.read"], None).await;
    let cases = corpus(&pat);
    assert!(cases.len() >= 50, "corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let (status, body) = send(&srv, &admin, &pat, c).await;
        assert!(status < 500, "{}: got {status} {body}", c.what);
        let code_ok = c.code.is_none_or(|code| body["error"]["code"] == code);
        if status != c.status || !code_ok {
            failures.push(format!(
                "{}: want {} {:?}, got {status} {body}",
                c.what, c.status, c.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Hostile names were stored verbatim and read back intact.
    let (s, list) = srv
        .call(Method::GET, "/v1/tokens", Some(&admin.session), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<_> = list["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t["name"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(names.contains(&"Robert'); DROP TABLE tokens;--".to_owned()));
    assert!(names.contains(&"🔑 مفتاح ключ".to_owned()));
    let offset = list["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .find(|t| t["name"] == "offset")
        .expect("offset");
    assert_eq!(
        offset["expires_at"], "2099-06-01T10:00:00Z",
        "stored and shown in UTC"
    );
    // The server is still healthy.
    assert_eq!(
        srv.http()
            .get(srv.url("/healthz"))
            .send()
            .await
            .expect("health")
            .status(),
        StatusCode::OK
    );
}
