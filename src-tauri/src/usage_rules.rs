//! What a token's usage history says, for the Audit screen's **Off-hours activity** and **New
//! address** views and a token's detail panel: plain functions of the cached usage (hourly UTC
//! counts and client addresses, as `GET /v1/tokens/{id}/usage` returns them), the user's
//! expected working hours and a time zone, tested at their boundaries.
//!
//! * **Off-hours activity** — a successful use in the last [`OFF_HOURS_WINDOW_DAYS`] days in an
//!   hour that starts, in the user's local time, on a day that is not a working day or outside
//!   the working hours (`start ≤ hour < end`). The server counts per UTC hour; each hour is
//!   judged by its local start, so a daylight-saving change moves the working day by an hour
//!   in UTC exactly as it does on the clock (a zone with a half-hour offset judges each hour by
//!   the local time it starts at).
//! * **New address** — an address first seen less than [`NEW_ADDRESS_DAYS`] × 24 hours ago
//!   (6 days ago is new; 8 days ago is not; exactly 7 × 24 hours is not).
//! * **Heat map** — the counts of the whole history (90 days) by local weekday (Monday first)
//!   and hour: when a token is usually used.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use keebai_api::wire::{TokenUsage, UsageAddress};
use serde::{Deserialize, Serialize};

/// **Off-hours activity** looks at this many recent days.
pub const OFF_HOURS_WINDOW_DAYS: i64 = 30;
/// **New address**: first seen within this many days.
pub const NEW_ADDRESS_DAYS: i64 = 7;

/// When the user expects their tokens to be used, in local time (Settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(default)]
pub struct WorkHours {
    /// Monday first: `days[0]` is Monday, `days[6]` Sunday.
    pub days: [bool; 7],
    /// The first working hour (0–23).
    pub start_hour: u8,
    /// The hour work ends (1–24): hours `start_hour ≤ h < end_hour` are working hours.
    pub end_hour: u8,
}

impl Default for WorkHours {
    /// Monday to Friday, 08:00–18:00.
    fn default() -> Self {
        Self {
            days: [true, true, true, true, true, false, false],
            start_hour: 8,
            end_hour: 18,
        }
    }
}

impl WorkHours {
    /// Within bounds, with at least one working hour (an impossible setting from a hand-edited
    /// file becomes the default rather than flagging every use).
    pub fn sanitized(self) -> Self {
        if self.start_hour < self.end_hour && self.end_hour <= 24 {
            self
        } else {
            Self::default()
        }
    }

    /// Whether a moment falls in working time, judged in `tz`.
    pub fn covers<Tz: TimeZone>(&self, at: DateTime<Utc>, tz: &Tz) -> bool {
        let local = at.with_timezone(tz);
        let day = local.weekday().num_days_from_monday() as usize;
        let hour = local.hour();
        self.days[day] && u32::from(self.start_hour) <= hour && hour < u32::from(self.end_hour)
    }
}

/// Successful uses in the last [`OFF_HOURS_WINDOW_DAYS`] days outside working time.
pub fn off_hours_uses<Tz: TimeZone>(
    usage: &TokenUsage,
    hours: &WorkHours,
    tz: &Tz,
    now: DateTime<Utc>,
) -> u64 {
    OffHoursCounter::new(hours, tz, now).count(usage)
}

/// [`off_hours_uses`] for many tokens at one `now`: each whole hour of the window is judged
/// in the time zone once, up front, rather than once for every token that was used in it —
/// that time-zone lookup was most of the Audit screen's work at 1,000 tokens. A bucket that
/// does not start on a whole hour, or lies after `now`, is judged on its own.
pub struct OffHoursCounter<'a, Tz: TimeZone> {
    hours: &'a WorkHours,
    tz: &'a Tz,
    since: DateTime<Utc>,
    /// The first whole hour at or after `since`, in hours since the epoch.
    first_hour: i64,
    /// Whether each whole hour from `first_hour` to `now` is outside working time.
    off: Vec<bool>,
}

impl<'a, Tz: TimeZone> OffHoursCounter<'a, Tz> {
    pub fn new(hours: &'a WorkHours, tz: &'a Tz, now: DateTime<Utc>) -> Self {
        let since = now - Duration::days(OFF_HOURS_WINDOW_DAYS);
        let first_hour = whole_hour(since).unwrap_or(since.timestamp().div_euclid(3600) + 1);
        let last_hour = now.timestamp().div_euclid(3600);
        let off = (first_hour..=last_hour)
            .map(|h| {
                DateTime::<Utc>::from_timestamp(h * 3600, 0).is_some_and(|at| !hours.covers(at, tz))
            })
            .collect();
        Self {
            hours,
            tz,
            since,
            first_hour,
            off,
        }
    }

    /// The token's successful uses in the window outside working time.
    pub fn count(&self, usage: &TokenUsage) -> u64 {
        usage
            .buckets
            .iter()
            .filter(|b| b.hour >= self.since && self.is_off(b.hour))
            .map(|b| b.count)
            .sum()
    }

    fn is_off(&self, at: DateTime<Utc>) -> bool {
        let judged = whole_hour(at)
            .and_then(|h| usize::try_from(h - self.first_hour).ok())
            .and_then(|i| self.off.get(i).copied());
        judged.unwrap_or_else(|| !self.hours.covers(at, self.tz))
    }
}

/// Hours since the epoch, when `at` is exactly on the hour.
fn whole_hour(at: DateTime<Utc>) -> Option<i64> {
    let s = at.timestamp();
    (s.rem_euclid(3600) == 0 && at.timestamp_subsec_nanos() == 0).then(|| s.div_euclid(3600))
}

/// The addresses first seen less than [`NEW_ADDRESS_DAYS`] days before `now`.
pub fn new_addresses(usage: &TokenUsage, now: DateTime<Utc>) -> Vec<&UsageAddress> {
    usage
        .addresses
        .iter()
        .filter(|a| now - a.first_seen < Duration::days(NEW_ADDRESS_DAYS))
        .collect()
}

/// Counts by local weekday (row 0 Monday) and hour (column 0 = 00:00–00:59).
pub fn heat_map<Tz: TimeZone>(usage: &TokenUsage, tz: &Tz) -> Vec<Vec<u64>> {
    let mut grid = vec![vec![0u64; 24]; 7];
    for b in &usage.buckets {
        let local = b.hour.with_timezone(tz);
        let day = local.weekday().num_days_from_monday() as usize;
        grid[day][local.hour() as usize] += b.count;
    }
    grid
}

#[cfg(test)]
mod tests;
