//! The first screen of a cached token list, kept beside the list and written in the same
//! transaction: a launch over a large cache paints the table's first rows from this small
//! entry instead of decoding every record first (100,000 tokens: about 175 ms of JSON before
//! anything is shown; docs/benchmarks.md).
//!
//! A head is only trusted when its `fetched_at` is the list's own (one query reads both):
//! a file written before heads were kept, or a list changed by anything that did not also
//! write the head, gives `None`, and the caller reads the whole list as before.

use keebai_api::wire::{TokenList, TokenRecord, TokenStatus};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{storage_err, storage_err_poisoned, Cache, Cached, Kind};
use crate::error::AppResult;

/// How many of the list's first rows a head keeps: a screenful of the table and more (the
/// page asks for `FIRST_ROWS`, 100, in `ui/src/features/session/store.svelte.ts`).
pub const HEAD_ROWS: usize = 100;

/// The list's first rows, and what the whole list's counts and reminders need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListHead {
    /// The list's first [`HEAD_ROWS`] records, in its order.
    pub tokens: Vec<TokenRecord>,
    /// The working tokens after those, in order: the reminders (`attention`) are computed
    /// from every working token, wherever it stands in the list.
    pub working_after: Vec<TokenRecord>,
    /// How many tokens the whole list holds.
    pub total: u32,
    pub active_count: u32,
    pub active_limit: u32,
}

impl ListHead {
    pub fn of(list: &TokenList) -> Self {
        let split = list.tokens.len().min(HEAD_ROWS);
        Self {
            tokens: list.tokens[..split].to_vec(),
            working_after: list.tokens[split..]
                .iter()
                .filter(|t| t.status == TokenStatus::Active)
                .cloned()
                .collect(),
            total: u32::try_from(list.tokens.len()).unwrap_or(u32::MAX),
            active_count: list.active_count,
            active_limit: list.active_limit,
        }
    }
}

impl Cache {
    /// The head written with the account's cached list, or `None` (nothing cached, or no head
    /// that belongs to the list now cached: see the module docs).
    pub fn load_head(&self, account: &str) -> AppResult<Option<Cached<ListHead>>> {
        let row: Option<(String, String, Option<String>)> = self
            .conn
            .lock()
            .map_err(storage_err_poisoned)?
            .query_row(
                "SELECT h.fetched_at, h.json, l.fetched_at FROM entries h
                 LEFT JOIN entries l ON l.account = h.account AND l.kind = ?3 AND l.key = ''
                 WHERE h.account = ?1 AND h.kind = ?2 AND h.key = ''",
                params![
                    account,
                    Kind::TokenListHead.as_str(),
                    Kind::TokenList.as_str()
                ],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(storage_err)?;
        match row {
            Some((at, json, Some(list_at))) if at == list_at => Ok(Some(Cached {
                value: serde_json::from_str(&json).map_err(storage_err)?,
                fetched_at: super::parse_time(&at)?,
            })),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};
    use keebai_api::wire::TokenStatus;

    use super::*;

    /// `n` tokens, revoked but for the ids in `active`.
    fn list(n: usize, active: &[usize]) -> TokenList {
        let tokens = (0..n)
            .map(|i| TokenRecord {
                id: format!("t{i}"),
                name: format!("token {i}"),
                prefix: "kbai_pk_a1b2".into(),
                scopes: vec!["messages.read".into()],
                created_at: Utc::now() - Duration::days(i as i64),
                expires_at: None,
                last_used_at: None,
                revoked_at: None,
                status: if active.contains(&i) {
                    TokenStatus::Active
                } else {
                    TokenStatus::Revoked
                },
                rotated_from: None,
                replaced_by: None,
            })
            .collect();
        TokenList {
            tokens,
            active_count: active.len() as u32,
            active_limit: 10,
        }
    }

    #[test]
    fn a_head_keeps_the_first_rows_and_every_working_token_after_them() {
        let whole = list(HEAD_ROWS + 50, &[0, 99, 100, 120]);
        let head = ListHead::of(&whole);
        assert_eq!(head.tokens, whole.tokens[..HEAD_ROWS]);
        let after: Vec<&str> = head.working_after.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(after, ["t100", "t120"]);
        assert_eq!(head.total, (HEAD_ROWS + 50) as u32);
        assert_eq!((head.active_count, head.active_limit), (4, 10));

        let short = list(12, &[3]);
        let head = ListHead::of(&short);
        assert_eq!(head.tokens, short.tokens, "a short list is its own head");
        assert!(head.working_after.is_empty());
        assert_eq!(head.total, 12);
    }

    #[test]
    fn the_head_is_written_with_the_list_and_read_only_while_it_belongs_to_it() {
        let cache = Cache::in_memory().expect("cache");
        assert_eq!(cache.load_head("a").expect("read"), None);
        let whole = list(HEAD_ROWS + 5, &[1, 102]);
        let at = Utc::now();
        cache.store("a", &whole, at).expect("store");
        let head = cache.load_head("a").expect("read").expect("a head");
        assert_eq!(head.value, ListHead::of(&whole));
        assert_eq!(head.fetched_at, at);
        assert_eq!(cache.load_head("b").expect("read"), None, "per account");

        // A revoke recorded in the cached list rewrites its head too.
        let mut revoked = whole.tokens[1].clone();
        revoked.status = TokenStatus::Revoked;
        cache.update_record("a", &revoked).expect("update");
        let head = cache.load_head("a").expect("read").expect("a head");
        assert_eq!(head.value.tokens[1].status, TokenStatus::Revoked);

        // A list written without its head (as a file from before heads were kept): the old
        // head no longer belongs to it and is not used.
        cache
            .put(
                "a",
                Kind::TokenList,
                "",
                &list(3, &[]),
                at + Duration::seconds(1),
            )
            .expect("put");
        assert_eq!(cache.load_head("a").expect("read"), None);

        // A snapshot writes both; signing out removes both.
        let summary = serde_json::json!({});
        cache
            .store_snapshot("a", &whole, &[], &summary, at + Duration::seconds(2))
            .expect("snapshot");
        assert_eq!(
            cache.load_head("a").expect("read").expect("a head").value,
            ListHead::of(&whole)
        );
        cache.forget("a").expect("forget");
        assert_eq!(cache.load_head("a").expect("read"), None);
    }
}
