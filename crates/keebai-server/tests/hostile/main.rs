//! The hostile-request corpus: malformed, oversized and malicious requests, each with the
//! answer the contract defines for it. None may produce a 5xx or change data it shouldn't.
//! The corpus is one line per case, one file per endpoint; this file sends them.

use keebai_testkit as support;

mod admin;
mod audit;
mod identity;
mod inventory;
mod messages;
mod tokens;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{Caller, TestServer};

#[derive(Clone, Copy)]
pub enum Cred {
    None,
    Session,
    Pat,
}

pub enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

pub struct Case {
    what: &'static str,
    method: Method,
    path: String,
    cred: Cred,
    headers: Vec<(&'static str, String)>,
    body: Body,
    status: u16,
    code: Option<&'static str>,
}

pub fn case(
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

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;

/// A token-create body.
fn tok(name: Value, scopes: Value, expires_at: Value) -> Body {
    Body::Json(json!({"name": name, "scopes": scopes, "expires_at": expires_at}))
}

/// The scopes of a token that may only read messages.
fn read() -> Value {
    json!(["messages.read"])
}

/// Every case: the endpoint files' and two about headers.
fn corpus(pat: &str) -> Vec<Case> {
    use Cred::*;
    let mut c = Vec::new();
    c.extend(messages::cases(pat));
    c.extend(identity::cases(pat));
    c.extend(tokens::cases(pat));
    c.extend(admin::cases(pat));
    c.extend(audit::cases(pat));
    c.extend(inventory::cases(pat));
    let mut huge = case(
        "1 MB header",
        GET,
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
        GET,
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
