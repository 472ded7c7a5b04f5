//! The reminder's rule at its boundaries, and the once-a-day decision.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use keebai_api::wire::{TokenRecord, TokenStatus};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0)
        .single()
        .expect("a valid time")
}

/// An active token created 10 days ago, expiring in 60 days: nothing to say about it.
fn token(id: &str) -> TokenRecord {
    TokenRecord {
        id: id.into(),
        name: format!("token {id}"),
        prefix: format!("kbai_pk_{id}"),
        scopes: vec!["messages.read".into()],
        created_at: now() - Duration::days(10),
        expires_at: Some(now() + Duration::days(60)),
        last_used_at: None,
        revoked_at: None,
        status: TokenStatus::Active,
        rotated_from: None,
        replaced_by: None,
    }
}

fn expiring_in(id: &str, d: Duration) -> TokenRecord {
    TokenRecord {
        expires_at: Some(now() + d),
        ..token(id)
    }
}

fn created_ago(id: &str, d: Duration) -> TokenRecord {
    TokenRecord {
        created_at: now() - d,
        expires_at: None,
        ..token(id)
    }
}

#[test]
fn expiry_within_seven_days_counts_and_eight_does_not() {
    let tokens = [
        expiring_in("in-6d", Duration::days(6)),
        expiring_in("in-7d", Duration::days(7)),
        expiring_in("in-7d-1s", Duration::days(7) + Duration::seconds(1)),
        expiring_in("in-8d", Duration::days(8)),
        token("fine"),
    ];
    let a = attention(&tokens, now());
    assert_eq!(a.expiring, ["in-6d", "in-7d"]);
    assert!(a.due_for_rotation.is_empty());
    assert_eq!(a.count, 2);
}

#[test]
fn due_for_rotation_from_exactly_ninety_days_most_overdue_first() {
    let tokens = [
        created_ago("90d-less-1s", Duration::days(90) - Duration::seconds(1)),
        created_ago("90d", Duration::days(90)),
        created_ago("120d", Duration::days(120)),
    ];
    let a = attention(&tokens, now());
    assert_eq!(a.due_for_rotation, ["120d", "90d"]);
    assert_eq!(a.count, 2);
}

#[test]
fn a_token_both_expiring_and_due_counts_once() {
    let both = TokenRecord {
        created_at: now() - Duration::days(100),
        expires_at: Some(now() + Duration::days(2)),
        ..token("both")
    };
    let a = attention(&[both, expiring_in("soon", Duration::days(1))], now());
    assert_eq!(a.expiring, ["soon", "both"]);
    assert_eq!(a.due_for_rotation, ["both"]);
    assert_eq!(a.count, 2);
}

#[test]
fn tokens_that_no_longer_work_or_were_replaced_need_nothing() {
    let revoked = TokenRecord {
        status: TokenStatus::Revoked,
        revoked_at: Some(now() - Duration::hours(1)),
        ..expiring_in("revoked", Duration::days(1))
    };
    // Cached as active, but its expiry has passed since the sync.
    let expired = expiring_in("expired", -Duration::minutes(1));
    // Rotated: the old token is on its way out, the new one is what to watch.
    let replaced = TokenRecord {
        replaced_by: Some("new".into()),
        ..created_ago("old", Duration::days(120))
    };
    let a = attention(&[revoked, expired, replaced], now());
    assert_eq!(a, Attention::default());
    assert!(a.is_empty());
}

#[test]
fn at_most_once_a_local_day_when_on_and_something_is_due() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
    let yesterday = today.pred_opt().expect("date");
    let due = attention(&[expiring_in("soon", Duration::days(1))], now());
    assert!(should_notify(true, &due, None, today));
    assert!(should_notify(true, &due, Some(yesterday), today));
    assert!(!should_notify(true, &due, Some(today), today));
    // A clock set back a day still allows one, rather than none until the date returns.
    assert!(should_notify(true, &due, Some(today), yesterday));
    assert!(!should_notify(false, &due, None, today), "turned off");
    assert!(!should_notify(true, &Attention::default(), None, today));
}

#[test]
fn the_message_counts_and_names_no_token_and_no_link() {
    let tokens = [
        expiring_in("a", Duration::days(3)),
        created_ago("b", Duration::days(95)),
        created_ago("c", Duration::days(91)),
    ];
    let a = attention(&tokens, now());
    let (title, body) = message(&a);
    assert_eq!(title, "3 API keys need attention");
    assert_eq!(
        body,
        "1 expires within 7 days, 2 are due for rotation. Open Keebai Keys to see which."
    );
    for t in &tokens {
        assert!(!body.contains(&t.name) && !body.contains(&t.prefix));
    }
    assert!(!body.contains("://") && !title.contains("://"));

    let one = attention(&[created_ago("b", Duration::days(95))], now());
    assert_eq!(
        message(&one),
        (
            "1 API key needs attention".to_owned(),
            "1 is due for rotation. Open Keebai Keys to see which.".to_owned()
        )
    );
}
