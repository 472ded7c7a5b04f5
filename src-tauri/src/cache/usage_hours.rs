//! A token's hourly usage counts packed for the cache's `usage_hours` table.
//!
//! Ninety days of hourly counts is up to 2,160 buckets a token; as JSON with RFC 3339 times
//! that is ~100 KB a token, and decoding a thousand of them took most of the Audit screen's
//! time (docs/benchmarks.md). Packed, a bucket is two LEB128 varints — the hour as the
//! zigzag-encoded difference in seconds from the previous bucket's (3,600 for consecutive
//! hours: two bytes) and the count — so a token's history is a few kilobytes and decodes
//! without parsing a date.
//!
//! Layout: a format byte ([`FORMAT`]), the number of buckets, then each bucket. Times are
//! whole seconds (the server's buckets start on the hour); a blob that is cut short, has
//! bytes left over, an unknown format or a time out of range is an error, never a guess.

use chrono::{DateTime, Utc};
use keebai_api::wire::UsageBucket;

/// The layout written by [`encode`].
const FORMAT: u8 = 1;

/// Packs `buckets` in their order (any order round-trips; oldest first packs smallest).
pub fn encode(buckets: &[UsageBucket]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + buckets.len() * 4);
    out.push(FORMAT);
    put(&mut out, buckets.len() as u64);
    let mut previous = 0i64;
    for b in buckets {
        let at = b.hour.timestamp();
        put(&mut out, zigzag(at.wrapping_sub(previous)));
        put(&mut out, b.count);
        previous = at;
    }
    out
}

/// Unpacks what [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> Result<Vec<UsageBucket>, String> {
    let mut r = Reader { bytes, at: 0 };
    match r.byte()? {
        FORMAT => {}
        other => return Err(format!("unknown usage format {other}")),
    }
    let n = r.varint()?;
    // Each bucket takes at least two bytes: a count beyond that is a damaged blob, and must
    // not size an allocation.
    if n > (bytes.len() as u64) / 2 {
        return Err(format!("usage claims {n} buckets in {} bytes", bytes.len()));
    }
    let mut out = Vec::with_capacity(n as usize);
    let mut previous = 0i64;
    for _ in 0..n {
        let at = previous.wrapping_add(unzigzag(r.varint()?));
        let hour = DateTime::<Utc>::from_timestamp(at, 0)
            .ok_or_else(|| format!("usage time {at} out of range"))?;
        out.push(UsageBucket {
            hour,
            count: r.varint()?,
        });
        previous = at;
    }
    if r.at != bytes.len() {
        return Err(format!("{} bytes after the usage", bytes.len() - r.at));
    }
    Ok(out)
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| "usage cut short".to_string())?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return Err("usage number too large".into());
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("usage number too long".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn bucket(at: DateTime<Utc>, count: u64) -> UsageBucket {
        UsageBucket { hour: at, count }
    }

    fn hour(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 / 3600 * 3600, 0).expect("time") + Duration::hours(h)
    }

    #[test]
    fn ninety_days_round_trip_in_a_few_bytes_each() {
        let buckets: Vec<_> = (0..2160)
            .map(|h| bucket(hour(h), 1 + h as u64 % 40))
            .collect();
        let packed = encode(&buckets);
        assert_eq!(decode(&packed).expect("decode"), buckets);
        assert!(packed.len() < 2160 * 4, "{} bytes", packed.len());
    }

    #[test]
    fn gaps_any_order_extremes_and_nothing_round_trip() {
        let buckets = vec![
            bucket(hour(500), u64::MAX),
            bucket(hour(-3), 0),
            bucket(DateTime::from_timestamp(0, 0).expect("epoch"), 7),
            bucket(hour(0) - Duration::days(365 * 80), 1),
            bucket(hour(1_000_000), 2),
        ];
        assert_eq!(decode(&encode(&buckets)).expect("decode"), buckets);
        assert_eq!(decode(&encode(&[])).expect("empty"), vec![]);
    }

    #[test]
    fn damaged_blobs_are_errors() {
        let packed = encode(&[bucket(hour(0), 3), bucket(hour(1), 4)]);
        for cut in 0..packed.len() {
            assert!(decode(&packed[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = packed.clone();
        longer.push(0);
        assert!(decode(&longer).expect_err("an error").contains("after"));
        let mut format = packed.clone();
        format[0] = 9;
        assert!(decode(&format).expect_err("an error").contains("format"));
        // A count of buckets the bytes can't hold allocates nothing.
        let mut huge = vec![FORMAT];
        put(&mut huge, u64::MAX);
        assert!(decode(&huge).expect_err("an error").contains("claims"));
        // A varint longer than 64 bits.
        let mut long = vec![FORMAT, 1];
        long.extend([0xff; 10]);
        long.push(0);
        assert!(decode(&long).is_err());
        // A time beyond what a date can hold.
        let mut far = vec![FORMAT, 1];
        put(&mut far, zigzag(i64::MAX));
        put(&mut far, 1);
        assert!(decode(&far).expect_err("an error").contains("range"));
    }
}
