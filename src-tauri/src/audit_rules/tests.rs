//! Each rule at its boundaries, with a fixed `now`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use keebai_api::wire::{TokenRecord, TokenStatus};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0)
        .single()
        .expect("a valid time")
}

/// An active token created a day ago, used an hour ago, expiring in 60 days, read-only.
fn token(id: &str) -> TokenRecord {
    TokenRecord {
        id: id.into(),
        name: format!("token {id}"),
        prefix: format!("kbai_pk_{id}"),
        scopes: vec!["messages.read".into()],
        created_at: now() - Duration::days(1),
        expires_at: Some(now() + Duration::days(60)),
        last_used_at: Some(now() - Duration::hours(1)),
        revoked_at: None,
        status: TokenStatus::Active,
        rotated_from: None,
        replaced_by: None,
    }
}

fn view(tokens: &[TokenRecord], kind: AuditViewKind, stale_days: u32) -> Vec<String> {
    let views = audit(tokens, now(), stale_days);
    let v = views
        .into_iter()
        .find(|v| v.kind == kind)
        .expect("every view is there");
    assert_eq!(v.count as usize, v.token_ids.len());
    v.token_ids
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn an_ordinary_token_is_in_no_view() {
    let views = audit(&[token("a")], now(), DEFAULT_STALE_DAYS);
    assert_eq!(views.len(), 6);
    assert!(views.iter().all(|v| v.count == 0), "{views:?}");
    let kinds: Vec<_> = views.iter().map(|v| v.kind).collect();
    assert_eq!(kinds, AuditViewKind::ALL);
}

#[test]
fn stale_at_29_30_and_31_days() {
    let used = |id: &str, ago: Duration| TokenRecord {
        last_used_at: Some(now() - ago),
        ..token(id)
    };
    let tokens = [
        used("d29", Duration::days(29)),
        used("d29h23", Duration::days(30) - Duration::seconds(1)),
        used("d30", Duration::days(30)),
        used("d31", Duration::days(31)),
    ];
    // Longest unused first.
    assert_eq!(
        view(&tokens, AuditViewKind::Stale, 30),
        ids(&["d31", "d30"])
    );
    // The setting moves the line.
    assert_eq!(view(&tokens, AuditViewKind::Stale, 31), ids(&["d31"]));
    assert_eq!(
        view(&tokens, AuditViewKind::Stale, 29),
        ids(&["d31", "d30", "d29h23", "d29"])
    );
}

#[test]
fn never_used_is_not_stale() {
    let never = TokenRecord {
        last_used_at: None,
        created_at: now() - Duration::days(100),
        ..token("never")
    };
    let tokens = [never];
    assert_eq!(view(&tokens, AuditViewKind::NeverUsed, 30), ids(&["never"]));
    assert!(view(&tokens, AuditViewKind::Stale, 30).is_empty());
}

#[test]
fn no_expiration() {
    let tokens = [
        TokenRecord {
            expires_at: None,
            ..token("forever")
        },
        token("dated"),
    ];
    assert_eq!(
        view(&tokens, AuditViewKind::NoExpiration, 30),
        ids(&["forever"])
    );
}

#[test]
fn expiring_soon_at_the_14_day_edge() {
    let expiring = |id: &str, within: Duration| TokenRecord {
        expires_at: Some(now() + within),
        ..token(id)
    };
    let tokens = [
        expiring("d14s1", Duration::days(14) + Duration::seconds(1)),
        expiring("d14", Duration::days(14)),
        expiring("h1", Duration::hours(1)),
        expiring("d5", Duration::days(5)),
    ];
    // Soonest first; one second past 14 days is not soon.
    assert_eq!(
        view(&tokens, AuditViewKind::ExpiringSoon, 30),
        ids(&["h1", "d5", "d14"])
    );
}

#[test]
fn due_for_rotation_from_exactly_90_days_most_overdue_first() {
    let aged = |id: &str, age: Duration| TokenRecord {
        created_at: now() - age,
        ..token(id)
    };
    let tokens = [
        aged("d89", Duration::days(89)),
        aged("d90s-1", Duration::days(90) - Duration::seconds(1)),
        aged("d90", Duration::days(90)),
        aged("d200", Duration::days(200)),
        aged("d120", Duration::days(120)),
        // Already rotated: its replacement carries the clock.
        TokenRecord {
            replaced_by: Some("d1".into()),
            ..aged("rotated", Duration::days(150))
        },
    ];
    assert_eq!(
        view(&tokens, AuditViewKind::DueForRotation, 30),
        ids(&["d200", "d120", "d90"])
    );
}

#[test]
fn broad_scopes_are_anything_not_read_only() {
    let scoped = |id: &str, scopes: &[&str]| TokenRecord {
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        ..token(id)
    };
    let tokens = [
        scoped("reader", &["messages.read", "contacts.read"]),
        scoped("writer", &["messages.read", "messages.write"]),
        scoped("admin", &["admin.manage_users"]),
        scoped("tokens", &["developer.manage_tokens"]),
        scoped("unknown", &["read"]),
    ];
    assert_eq!(
        view(&tokens, AuditViewKind::BroadScopes, 30),
        ids(&["admin", "tokens", "unknown", "writer"])
    );
    assert!(read_only("messages.read"));
    assert!(!read_only("messages.reader"));
    assert!(!read_only("developer.audit_tokens"));
}

#[test]
fn revoked_and_expired_tokens_are_not_audited() {
    let base = TokenRecord {
        expires_at: None,
        last_used_at: None,
        created_at: now() - Duration::days(200),
        scopes: vec!["messages.write".into()],
        ..token("x")
    };
    let tokens = [
        TokenRecord {
            id: "revoked".into(),
            status: TokenStatus::Revoked,
            revoked_at: Some(now() - Duration::days(1)),
            ..base.clone()
        },
        TokenRecord {
            id: "expired".into(),
            status: TokenStatus::Expired,
            expires_at: Some(now() - Duration::days(1)),
            ..base.clone()
        },
        // The cached status still says active, but the expiry has passed since the sync.
        TokenRecord {
            id: "expired_since".into(),
            expires_at: Some(now()),
            ..base.clone()
        },
    ];
    let views = audit(&tokens, now(), DEFAULT_STALE_DAYS);
    assert!(views.iter().all(|v| v.count == 0), "{views:?}");
    // The same token alive is in four views.
    let alive = audit(&[base], now(), DEFAULT_STALE_DAYS);
    let held: Vec<_> = alive
        .iter()
        .filter(|v| v.count == 1)
        .map(|v| v.kind)
        .collect();
    assert_eq!(
        held,
        [
            AuditViewKind::NeverUsed,
            AuditViewKind::NoExpiration,
            AuditViewKind::DueForRotation,
            AuditViewKind::BroadScopes
        ]
    );
}

#[test]
fn a_rotated_token_still_working_is_audited_but_not_due() {
    let old = TokenRecord {
        created_at: now() - Duration::days(120),
        replaced_by: Some("new".into()),
        expires_at: Some(now() + Duration::hours(1)),
        ..token("old")
    };
    let tokens = [old];
    assert_eq!(
        view(&tokens, AuditViewKind::ExpiringSoon, 30),
        ids(&["old"])
    );
    assert!(view(&tokens, AuditViewKind::DueForRotation, 30).is_empty());
}

fn used(buckets: &[(i64, u64)], addresses_first_seen_days_ago: &[i64]) -> TokenUsage {
    use keebai_api::wire::{UsageAddress, UsageBucket};
    TokenUsage {
        buckets: buckets
            .iter()
            .map(|&(hours_ago, count)| UsageBucket {
                hour: now() - Duration::hours(hours_ago),
                count,
            })
            .collect(),
        last_used_ip: None,
        addresses: addresses_first_seen_days_ago
            .iter()
            .map(|&d| UsageAddress {
                ip: format!("203.0.113.{d}"),
                first_seen: now() - Duration::days(d),
                last_seen: now(),
                count: 1,
            })
            .collect(),
    }
}

#[test]
fn the_usage_views_hold_working_tokens_whose_usage_says_so_in_order() {
    // now() is Thursday 12:00 UTC: 10 hours ago is 02:00 (off-hours), 2 hours ago 10:00.
    let (night, busy_night, day, fresh, revoked, unknown) = (
        token("night"),
        token("busy"),
        token("day"),
        token("fresh"),
        TokenRecord {
            revoked_at: Some(now()),
            status: TokenStatus::Revoked,
            ..token("revoked")
        },
        token("unknown"),
    );
    let usage: HashMap<String, TokenUsage> = [
        ("night", used(&[(10, 1)], &[30])),
        ("busy", used(&[(10, 9), (2, 50)], &[30, 2])),
        ("day", used(&[(2, 50)], &[8])),
        ("fresh", used(&[(2, 1)], &[6, 1])),
        ("revoked", used(&[(10, 99)], &[1])),
    ]
    .into_iter()
    .map(|(id, u)| (id.to_owned(), u))
    .collect();
    let hours = WorkHours::default();
    let facts = UsageFacts {
        usage: &usage,
        hours: &hours,
        tz: &Utc,
    };
    let tokens = [night, busy_night, day, fresh, revoked, unknown];
    let views = audit_with_usage(&tokens, now(), 30, &facts);
    let ids = |kind| {
        let v = views.iter().find(|v| v.kind == kind).expect("the view");
        assert_eq!(v.count as usize, v.token_ids.len());
        v.token_ids.clone()
    };
    assert_eq!(
        views.len(),
        8,
        "the six list views, then the two usage views"
    );
    assert_eq!(
        ids(AuditViewKind::OffHours),
        ["busy", "night"],
        "most off-hours uses first"
    );
    assert_eq!(
        ids(AuditViewKind::NewAddress),
        ["fresh", "busy"],
        "newest address first"
    );
    assert_eq!(
        audit(&tokens, now(), 30).len(),
        6,
        "without usage, only the list views"
    );
}
