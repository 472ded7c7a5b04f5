//! Property-based fuzzing of every JSON endpoint and of the credential header, in process
//! (the router over a real SQLite file) so that thousands of cases run in seconds.
//! The property: never a panic, never a 5xx, and every error has the contract's body.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use keebai_server::domain::{Service, Settings};
use keebai_server::store::sqlite::SqliteStore;
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;

struct Fixture {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
    session: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (router, session) = rt.block_on(async {
        let store = Arc::new(
            SqliteStore::open(&dir.path().join("fuzz.db"))
                .await
                .expect("store"),
        );
        let svc = Service::new(store, Settings::default());
        svc.create_tenant(
            "acme",
            "Acme",
            "admin@acme.test",
            "admin-password-fuzz".into(),
        )
        .await
        .expect("tenant");
        let router = keebai_server::http::router(Arc::clone(&svc));
        let resp = router
            .clone()
            .oneshot(json_request(
                "POST",
                "/v1/sessions",
                None,
                json!({"tenant":"acme","email":"admin@acme.test","password":"admin-password-fuzz"})
                    .to_string()
                    .into_bytes(),
            ))
            .await
            .expect("sign in");
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .expect("body");
        let v: Value = serde_json::from_slice(&body).expect("json");
        (
            router,
            v["session_token"].as_str().expect("session").to_owned(),
        )
    });
    Fixture {
        rt,
        router,
        session,
        _dir: dir,
    }
}

fn json_request(method: &str, path: &str, bearer: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(t) = bearer {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body)).expect("request")
}

fn check(fx: &Fixture, req: Request<Body>) -> Result<(), TestCaseError> {
    let (status, body) = fx.rt.block_on(async {
        let resp = fx.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let body = axum::body::to_bytes(resp.into_body(), 1 << 22)
            .await
            .expect("body");
        (status, body)
    });
    prop_assert!(
        !status.is_server_error(),
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    if status.is_client_error() {
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| TestCaseError::fail(format!("error body not JSON: {e}")))?;
        prop_assert!(
            v["error"]["code"].is_string() && v["error"]["message"].is_string(),
            "{v}"
        );
    }
    prop_assert!(status != StatusCode::OK || !body.is_empty());
    Ok(())
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "\\PC{0,40}".prop_map(Value::String),
        prop::sample::select(vec![
            "messages.read",
            "developer.manage_tokens",
            "2030-01-01T00:00:00Z",
            "",
            "kbai_pk_"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "name",
                    "scopes",
                    "expires_at",
                    "permissions",
                    "role_ids",
                    "email",
                    "password",
                    "tenant",
                    "body",
                    "x"
                ])
                .prop_map(str::to_owned),
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const ENDPOINTS: &[(&str, &str)] = &[
    ("POST", "/v1/tokens"),
    ("POST", "/v1/sessions"),
    ("POST", "/v1/roles"),
    ("PUT", "/v1/roles/some-id"),
    ("POST", "/v1/users"),
    ("PUT", "/v1/users/some-id/roles"),
    ("POST", "/v1/messages"),
    ("POST", "/v1/tokens/some-id/revoke"),
    ("PUT", "/v1/tenant/token-policy"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_bodies_never_cause_a_5xx(endpoint in 0..ENDPOINTS.len(), body in arb_json()) {
        thread_local!(static FX: Fixture = fixture());
        FX.with(|fx| {
            let (m, p) = ENDPOINTS[endpoint];
            check(fx, json_request(m, p, Some(&fx.session), body.to_string().into_bytes()))
        })?;
    }

    #[test]
    fn arbitrary_bytes_never_cause_a_5xx(endpoint in 0..ENDPOINTS.len(), body in prop::collection::vec(any::<u8>(), 0..512)) {
        thread_local!(static FX: Fixture = fixture());
        FX.with(|fx| {
            let (m, p) = ENDPOINTS[endpoint];
            check(fx, json_request(m, p, Some(&fx.session), body))
        })?;
    }

    #[test]
    fn arbitrary_credentials_are_401_never_5xx(cred in prop_oneof!["\\PC{0,100}", "kbai_(pk|sess)_[0-9a-fA-F]{60,68}", "[Bb]earer kbai_pk_[0-9a-f]{62,66}"]) {
        thread_local!(static FX: Fixture = fixture());
        FX.with(|fx| {
            let Ok(value) = axum::http::HeaderValue::from_str(&cred) else { return Ok(()) };
            let req = Request::builder().uri("/v1/messages").header("authorization", value).body(Body::empty()).expect("request");
            let status = fx.rt.block_on(async { fx.router.clone().oneshot(req).await.expect("infallible").status() });
            prop_assert_eq!(status, StatusCode::UNAUTHORIZED);
            Ok(())
        })?;
    }
}
