//! What changed between two syncs of the user's token list: new tokens, tokens revoked, tokens
//! used since (their last use moved), and addresses not seen before. Each sync stores a small
//! [`SyncSummary`] of its snapshot beside it, and keeps the previous sync's (both in the cache,
//! in the snapshot's own transaction); [`changes`] compares the two. Plain functions, tested.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use keebai_api::wire::{TokenList, TokenStatus, TokenUsage};
use serde::{Deserialize, Serialize};

/// One token as a sync saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenMark {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub revoked: bool,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Addresses from its usage; `None` when its usage was not synced (a revoked token).
    pub addresses: Option<BTreeSet<String>>,
}

/// A sync's snapshot, as much as a comparison needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSummary {
    pub at: DateTime<Utc>,
    pub tokens: Vec<TokenMark>,
}

/// A token named in a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChangedToken {
    pub id: String,
    pub name: String,
    pub prefix: String,
}

/// An address a token was used from that the previous sync had not seen for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct NewAddress {
    pub token: ChangedToken,
    pub ip: String,
}

/// What changed from the previous sync to the latest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SyncChanges {
    /// When the previous sync was.
    pub since: DateTime<Utc>,
    pub new_tokens: Vec<ChangedToken>,
    pub revoked: Vec<ChangedToken>,
    /// Tokens whose last use moved (used since the previous sync).
    pub used: Vec<ChangedToken>,
    pub new_addresses: Vec<NewAddress>,
}

impl SyncChanges {
    pub fn is_empty(&self) -> bool {
        self.new_tokens.is_empty()
            && self.revoked.is_empty()
            && self.used.is_empty()
            && self.new_addresses.is_empty()
    }
}

/// The summary of a sync's list and usage.
pub fn summarize(
    list: &TokenList,
    usage: &[(String, TokenUsage)],
    at: DateTime<Utc>,
) -> SyncSummary {
    let by_id: HashMap<&str, &TokenUsage> = usage.iter().map(|(id, u)| (id.as_str(), u)).collect();
    SyncSummary {
        at,
        tokens: list
            .tokens
            .iter()
            .map(|t| TokenMark {
                id: t.id.clone(),
                name: t.name.clone(),
                prefix: t.prefix.clone(),
                revoked: t.status == TokenStatus::Revoked,
                last_used_at: t.last_used_at,
                addresses: by_id
                    .get(t.id.as_str())
                    .map(|u| u.addresses.iter().map(|a| a.ip.clone()).collect()),
            })
            .collect(),
    }
}

fn named(t: &TokenMark) -> ChangedToken {
    ChangedToken {
        id: t.id.clone(),
        name: t.name.clone(),
        prefix: t.prefix.clone(),
    }
}

/// What changed from `previous` to `latest`, in the latest list's order. An address counts as
/// new only for a token whose usage both syncs read (one synced without usage before has
/// nothing to compare with; a first use ever is a new address).
pub fn changes(previous: &SyncSummary, latest: &SyncSummary) -> SyncChanges {
    let before: HashMap<&str, &TokenMark> =
        previous.tokens.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut out = SyncChanges {
        since: previous.at,
        new_tokens: Vec::new(),
        revoked: Vec::new(),
        used: Vec::new(),
        new_addresses: Vec::new(),
    };
    for t in &latest.tokens {
        let Some(old) = before.get(t.id.as_str()) else {
            out.new_tokens.push(named(t));
            continue;
        };
        if t.revoked && !old.revoked {
            out.revoked.push(named(t));
        }
        if t.last_used_at > old.last_used_at {
            out.used.push(named(t));
        }
        if let (Some(now), Some(then)) = (&t.addresses, &old.addresses) {
            for ip in now.difference(then) {
                out.new_addresses.push(NewAddress {
                    token: named(t),
                    ip: ip.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn mark(id: &str, revoked: bool, used_hour: Option<u32>, ips: Option<&[&str]>) -> TokenMark {
        TokenMark {
            id: id.into(),
            name: format!("token {id}"),
            prefix: format!("kbai_pk_{id}"),
            revoked,
            last_used_at: used_hour.map(|h| {
                Utc.with_ymd_and_hms(2026, 12, 3, h, 0, 0)
                    .single()
                    .expect("t")
            }),
            addresses: ips.map(|ips| ips.iter().map(|s| s.to_string()).collect()),
        }
    }

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, h, 0, 0)
            .single()
            .expect("t")
    }

    #[test]
    fn new_revoked_used_and_new_addresses_are_told_apart() {
        let previous = SyncSummary {
            at: at(8),
            tokens: vec![
                mark("a", false, Some(7), Some(&["203.0.113.1"])),
                mark("b", false, None, Some(&[])),
                mark("c", false, Some(6), Some(&["203.0.113.3"])),
                mark("d", true, Some(1), None),
                mark("e", false, Some(1), None),
            ],
        };
        let latest = SyncSummary {
            at: at(10),
            tokens: vec![
                mark("n", false, None, Some(&[])),
                mark("a", false, Some(9), Some(&["203.0.113.1", "198.51.100.7"])),
                mark("b", false, Some(9), Some(&["203.0.113.2"])),
                mark("c", true, Some(6), None),
                mark("d", true, Some(1), None),
                mark("e", false, Some(1), Some(&["203.0.113.5"])),
            ],
        };
        let ch = changes(&previous, &latest);
        let ids = |v: &[ChangedToken]| v.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        assert_eq!(ch.since, at(8));
        assert_eq!(ids(&ch.new_tokens), ["n"]);
        assert_eq!(ids(&ch.revoked), ["c"], "d was revoked before already");
        assert_eq!(ids(&ch.used), ["a", "b"]);
        assert_eq!(
            ch.new_addresses
                .iter()
                .map(|a| (a.token.id.as_str(), a.ip.as_str()))
                .collect::<Vec<_>>(),
            [("a", "198.51.100.7"), ("b", "203.0.113.2")],
            "a first use ever is a new address; e's usage before is unknown"
        );
        assert!(!ch.is_empty());
        assert!(changes(&latest, &latest).is_empty());
    }
}
