//! The reminder: which of the user's own tokens need attention soon, and whether to say so today.
//!
//! * A token **needs attention** when it still works ([`crate::audit_rules::audited`]), has
//!   not been replaced by a rotation (the replacement is the one to watch), and either expires
//!   within 7 days (exactly 7 × 24 hours away included) or is due for rotation (created 90 or
//!   more days ago, the Audit screen's **Due for rotation**).
//! * The navigation shows the count as a badge on **Rotation** whenever it is not zero.
//! * A desktop notification says it **at most once a day** (the local calendar day), only when
//!   *Remind me about expiring and overdue tokens* is on (the default), and only when there is
//!   something to say. Its text names counts, never a token's name, prefix or a link; clicking
//!   it opens the app on the Rotation screen ([`crate::notifier`]).
//!
//! Plain functions of a token list, a moment and the settings, tested at their boundaries;
//! [`crate::app_service`] calls them after each load of the token list, online or cached.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use keebai_api::wire::TokenRecord;
use serde::Serialize;

use crate::audit_rules::{audited, ROTATE_AFTER_DAYS};

/// A token expiring within this many days needs attention.
pub const REMIND_EXPIRY_DAYS: i64 = 7;
/// Where the notification and the badge lead.
pub const REMINDER_PATH: &str = "/rotation";

/// The tokens that need attention, by reason. A token expiring soon that is also due for
/// rotation is in both lists; [`Attention::count`] counts it once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Attention {
    /// Expires within 7 days, soonest first.
    pub expiring: Vec<String>,
    /// Due for rotation, most overdue first.
    pub due_for_rotation: Vec<String>,
    /// How many distinct tokens the two lists hold.
    pub count: u32,
}

impl Attention {
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// The user's tokens that need attention at `now`.
pub fn attention(tokens: &[TokenRecord], now: DateTime<Utc>) -> Attention {
    let expiring = |t: &TokenRecord| {
        t.expires_at
            .is_some_and(|e| e - now <= Duration::days(REMIND_EXPIRY_DAYS))
    };
    let due = |t: &TokenRecord| now - t.created_at >= Duration::days(ROTATE_AFTER_DAYS);
    let watched: Vec<&TokenRecord> = tokens
        .iter()
        .filter(|t| audited(t, now) && t.replaced_by.is_none())
        .collect();
    let mut soon: Vec<&TokenRecord> = watched.iter().copied().filter(|t| expiring(t)).collect();
    soon.sort_by(|a, b| a.expires_at.cmp(&b.expires_at).then(a.id.cmp(&b.id)));
    let mut overdue: Vec<&TokenRecord> = watched.iter().copied().filter(|t| due(t)).collect();
    overdue.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let count = watched.iter().filter(|t| expiring(t) || due(t)).count();
    Attention {
        expiring: soon.iter().map(|t| t.id.clone()).collect(),
        due_for_rotation: overdue.iter().map(|t| t.id.clone()).collect(),
        count: u32::try_from(count).unwrap_or(u32::MAX),
    }
}

/// Whether to show the notification: reminders on, something to say, and none shown yet on
/// `today` (a date in the past or a clock set back both allow one).
pub fn should_notify(
    enabled: bool,
    attention: &Attention,
    last_shown: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    enabled && !attention.is_empty() && last_shown != Some(today)
}

/// The notification's title and body: counts only. A notification can be read on a locked
/// screen or by anyone passing by, so it names no token; and it holds no link.
pub fn message(attention: &Attention) -> (String, String) {
    // The product's word for them, as on the API Keys screen.
    let keys = |n: usize| if n == 1 { "key" } else { "keys" };
    let title = format!(
        "{} API {} need{} attention",
        attention.count,
        keys(attention.count as usize),
        if attention.count == 1 { "s" } else { "" }
    );
    let mut parts = Vec::new();
    let expiring = attention.expiring.len();
    if expiring > 0 {
        parts.push(format!(
            "{expiring} {} within {REMIND_EXPIRY_DAYS} days",
            if expiring == 1 { "expires" } else { "expire" }
        ));
    }
    let due = attention.due_for_rotation.len();
    if due > 0 {
        parts.push(format!(
            "{due} {} due for rotation",
            if due == 1 { "is" } else { "are" }
        ));
    }
    // Each part starts with its count, so nothing needs a capital.
    let body = format!("{}. Open Keebai Keys to see which.", parts.join(", "));
    (title, body)
}

#[cfg(test)]
mod tests;
