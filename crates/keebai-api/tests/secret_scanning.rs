//! The gitleaks rules published in `docs/secret-scanning.md` must match real tokens.

use keebai_api::TokenSecret;
use regex::Regex;

fn rules() -> Vec<Regex> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/secret-scanning.md"
    ))
    .expect("docs/secret-scanning.md exists");
    let rules: Vec<Regex> = doc
        .lines()
        .filter_map(|l| l.trim().strip_prefix("regex = '''"))
        .filter_map(|l| l.strip_suffix("'''"))
        .map(|r| Regex::new(r).expect("rule compiles"))
        .collect();
    assert_eq!(rules.len(), 2, "one rule per credential kind");
    rules
}

#[test]
fn rules_find_every_generated_token_in_surrounding_text() {
    let rules = rules();
    for _ in 0..500 {
        for t in [
            TokenSecret::generate_pat().expect("rng"),
            TokenSecret::generate_session().expect("rng"),
        ] {
            let text = format!("export KEEBAI_TOKEN=\"{}\" # prod", t.expose());
            let hit = rules
                .iter()
                .find_map(|r| r.captures(&text))
                .expect("a rule matches");
            assert_eq!(&hit[1], t.expose());
        }
    }
}

#[test]
fn rules_ignore_near_misses() {
    let rules = rules();
    let hex = "ab".repeat(32);
    for miss in [
        format!("kbai_pk_{}", &hex[..63]),
        format!("kbai_pk_{}", hex.to_uppercase()),
        format!("kbai_pk_{hex}f"),
        format!("xkbai_pk_{hex}"),
        format!("kbai_sk_{hex}"),
        format!("kbai_sess_{}", &hex[..40]),
        hex.clone(),
    ] {
        assert!(
            rules.iter().all(|r| !r.is_match(&miss)),
            "rule matched near-miss {miss}"
        );
    }
}
