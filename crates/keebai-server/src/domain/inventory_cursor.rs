//! The inventory's opaque page cursor: where the last page ended, bound to the listing it
//! came from.
//!
//! A cursor is the hex of `v1|<created_at>|<token id>|<listing>`, where `<listing>` is a
//! digest of the caller's tenant and the normalised filter. The query always runs inside the
//! caller's tenant, so a cursor can only ever position a page there; the digest makes a cursor
//! used with another tenant or another filter a clear error rather than a silently odd page.
//! An edited position (the digest kept) just starts the page elsewhere in the caller's own
//! listing, which reveals nothing they could not list anyway.

use sha2::{Digest, Sha256};

use super::error::{DomainError, DomainResult};
use crate::store::{Position, TenantId};

/// Longest cursor accepted, in bytes (a real one is well under 200).
const MAX_CURSOR: usize = 512;

/// The digest that binds a cursor to one tenant's listing with one filter.
pub fn listing_of(tenant_id: &TenantId, normalised_filter: &str) -> String {
    let mut h = Sha256::new();
    h.update(tenant_id.as_str().as_bytes());
    h.update([0]);
    h.update(normalised_filter.as_bytes());
    hex::encode(&h.finalize()[..12])
}

pub fn encode(pos: &Position, listing: &str) -> String {
    hex::encode(format!("v1|{}|{}|{listing}", pos.created_at, pos.id))
}

/// The position in `cursor`, if it was given out for `listing`.
pub fn decode(cursor: &str, listing: &str) -> DomainResult<Position> {
    let malformed = || DomainError::invalid("cursor", "is not a cursor from a previous page");
    if cursor.len() > MAX_CURSOR {
        return Err(malformed());
    }
    let bytes = hex::decode(cursor).map_err(|_| malformed())?;
    let text = String::from_utf8(bytes).map_err(|_| malformed())?;
    let mut parts = text.split('|');
    let (Some("v1"), Some(at), Some(id), Some(from), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed());
    };
    let created_at: i64 = at.parse().map_err(|_| malformed())?;
    if id.is_empty() {
        return Err(malformed());
    }
    if from != listing {
        return Err(DomainError::invalid(
            "cursor",
            "belongs to another listing (other filters or another tenant); start again without it",
        ));
    }
    Ok(Position {
        created_at,
        id: id.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_only_within_its_listing() {
        let a = listing_of(&TenantId::new("t1"), "{}");
        let b = listing_of(&TenantId::new("t2"), "{}");
        let c = listing_of(&TenantId::new("t1"), r#"{"status":"active"}"#);
        assert_ne!(a, b);
        assert_ne!(a, c);
        let pos = Position {
            created_at: 1_700_000_000,
            id: "0193-x".into(),
        };
        let cur = encode(&pos, &a);
        assert_eq!(decode(&cur, &a).expect("own listing"), pos);
        for other in [&b, &c] {
            let e = decode(&cur, other).expect_err("another listing");
            assert!(e.to_string().contains("another listing"), "{e}");
        }
    }

    #[test]
    fn tampered_cursors_are_refused() {
        let a = listing_of(&TenantId::new("t1"), "{}");
        for bad in [
            String::new(),
            "zz".into(),
            hex::encode("v2|1|x|y"),
            hex::encode(format!("v1|one|x|{a}")),
            hex::encode(format!("v1|1||{a}")),
            hex::encode(format!("v1|1|x|{a}|more")),
            "ab".repeat(300),
        ] {
            let e = decode(&bad, &a).expect_err("refused");
            assert!(e.to_string().contains("not a cursor"), "{bad}: {e}");
        }
    }
}
