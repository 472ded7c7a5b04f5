//! The OpenAPI document as a client generator reads it: every operation has a unique
//! operationId, a tag, its parameters where they really are, error answers with the
//! `{error}` body, and the bearer requirement except on the public operations. (The
//! third-party validator and a generated client are run by `scripts/openapi-client.sh`.)

use keebai_testkit as support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::TestServer;

const PUBLIC: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/v1/openapi.json"),
    ("post", "/v1/sessions"),
];

#[tokio::test]
async fn every_operation_is_complete_for_a_generator() {
    let srv = TestServer::start().await;
    let doc: Value = srv
        .http()
        .get(srv.url("/v1/openapi.json"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let mut ids = BTreeSet::new();
    let mut count = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let templated: BTreeSet<&str> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, op) in item.as_object().expect("item") {
            count += 1;
            let what = format!("{method} {path}");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{what}: no operationId"));
            assert!(
                ids.insert(id.to_owned()),
                "{what}: operationId {id} is not unique"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{what}: no tag"
            );
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let in_path: BTreeSet<&str> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().expect("name"))
                .collect();
            assert_eq!(in_path, templated, "{what}: path parameters");
            for p in params.iter().filter(|p| p["in"] == "query") {
                assert_ne!(
                    p["required"], true,
                    "{what}: query {} is optional",
                    p["name"]
                );
            }
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|c| c.starts_with('2')),
                "{what}: no success answer"
            );
            for (code, r) in responses.iter().filter(|(c, _)| !c.starts_with('2')) {
                assert_eq!(
                    r["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{what}: {code} without the error body"
                );
            }
            let public = PUBLIC.contains(&(method.as_str(), path.as_str()));
            let bearer = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|req| req.get("bearer").is_some()));
            assert_eq!(bearer, !public, "{what}: bearer requirement");
            if !public {
                assert!(responses.contains_key("401"), "{what}: no 401 documented");
                for (code, r) in responses.iter().filter(|(c, _)| *c != "401") {
                    for h in ["Keebai-Token-Expires", "Keebai-Token-Scopes"] {
                        assert!(r["headers"][h].is_object(), "{what}: {code} without {h}");
                    }
                }
                if let Some(r) = responses.get("403") {
                    assert!(
                        r["headers"]["Keebai-Required-Permission"].is_object(),
                        "{what}"
                    );
                }
            }
        }
    }
    assert!(count >= 23, "only {count} operations");
    assert!(
        doc["security"].is_null(),
        "no global requirement: public operations stay public"
    );
    let audit = &doc["paths"]["/v1/audit-events"]["get"]["parameters"];
    let names: BTreeSet<&str> = audit
        .as_array()
        .expect("params")
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    for name in [
        "limit", "cursor", "actor", "action", "target", "since", "until",
    ] {
        assert!(names.contains(name), "{name} missing: {audit}");
    }
    for header in [
        "Keebai-Token-Expires",
        "Keebai-Token-Scopes",
        "Keebai-Required-Permission",
    ] {
        assert!(
            doc["info"]["description"]
                .as_str()
                .expect("d")
                .contains(header),
            "{header} is documented"
        );
    }
}
