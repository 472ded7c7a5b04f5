use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use keebai_api::wire::{TokenUsage, UsageAddress, UsageBucket};

use super::*;

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("time")
}

fn usage(buckets: &[(DateTime<Utc>, u64)], addresses: &[DateTime<Utc>]) -> TokenUsage {
    TokenUsage {
        buckets: buckets
            .iter()
            .map(|&(hour, count)| UsageBucket { hour, count })
            .collect(),
        last_used_ip: None,
        addresses: addresses
            .iter()
            .enumerate()
            .map(|(i, &first_seen)| UsageAddress {
                ip: format!("203.0.113.{i}"),
                first_seen,
                last_seen: first_seen,
                count: 1,
            })
            .collect(),
    }
}

#[test]
fn working_hours_include_the_start_and_exclude_the_end() {
    let h = WorkHours::default();
    // 2026-12-02 is a Wednesday.
    assert!(!h.covers(at(2026, 12, 2, 7), &Utc));
    assert!(h.covers(at(2026, 12, 2, 8), &Utc));
    assert!(h.covers(at(2026, 12, 2, 17), &Utc));
    assert!(!h.covers(at(2026, 12, 2, 18), &Utc));
    // Saturday 2026-12-05 at noon.
    assert!(!h.covers(at(2026, 12, 5, 12), &Utc));
}

#[test]
fn a_daylight_saving_change_moves_the_working_day_in_utc() {
    let h = WorkHours::default();
    // Berlin is UTC+1 until Sunday 2026-03-29, then UTC+2. 07:00 UTC is 08:00 on the Friday
    // before (working) and 09:00 on the Monday after (working); 06:00 UTC is 07:00 before
    // (off-hours) but 08:00 after (working).
    assert!(h.covers(at(2026, 3, 27, 7), &Berlin));
    assert!(!h.covers(at(2026, 3, 27, 6), &Berlin));
    assert!(h.covers(at(2026, 3, 30, 6), &Berlin));
    // And the end of the day: 16:00 UTC is 17:00 (working) before, 18:00 (off) after.
    assert!(h.covers(at(2026, 3, 27, 16), &Berlin));
    assert!(!h.covers(at(2026, 3, 30, 16), &Berlin));
}

#[test]
fn off_hours_counts_recent_uses_outside_working_time_only() {
    let now = at(2026, 12, 3, 12);
    let u = usage(
        &[
            (at(2026, 12, 2, 3), 5),   // Wednesday night: off-hours
            (at(2026, 12, 2, 10), 40), // Wednesday morning: working
            (at(2026, 11, 28, 14), 2), // Saturday afternoon: off-hours
            (at(2026, 10, 1, 2), 9),   // a night 63 days ago: outside the window
        ],
        &[],
    );
    assert_eq!(off_hours_uses(&u, &WorkHours::default(), &Utc, now), 7);
    let always = WorkHours {
        days: [true; 7],
        start_hour: 0,
        end_hour: 24,
    };
    assert_eq!(off_hours_uses(&u, &always, &Utc, now), 0);
}

#[test]
fn an_address_is_new_for_seven_days() {
    let now = at(2026, 12, 3, 12);
    let six = now - Duration::days(6);
    let seven = now - Duration::days(7);
    let eight = now - Duration::days(8);
    let u = usage(&[], &[six, seven, eight]);
    let new: Vec<_> = new_addresses(&u, now)
        .into_iter()
        .map(|a| a.first_seen)
        .collect();
    assert_eq!(new, [six]);
}

#[test]
fn the_heat_map_is_by_local_weekday_and_hour() {
    // Monday 2026-11-30 23:00 UTC is Tuesday 00:00 in Berlin (UTC+1 in winter).
    let u = usage(&[(at(2026, 11, 30, 23), 3), (at(2026, 12, 7, 23), 2)], &[]);
    let utc = heat_map(&u, &Utc);
    assert_eq!(utc[0][23], 5);
    let berlin = heat_map(&u, &Berlin);
    assert_eq!(berlin[1][0], 5);
    assert_eq!(berlin.iter().flatten().sum::<u64>(), 5);
}

#[test]
fn an_impossible_setting_falls_back_to_the_default() {
    let bad = WorkHours {
        days: [true; 7],
        start_hour: 18,
        end_hour: 8,
    };
    assert_eq!(bad.sanitized(), WorkHours::default());
    let late = WorkHours {
        end_hour: 25,
        ..WorkHours::default()
    };
    assert_eq!(late.sanitized(), WorkHours::default());
}

/// The counter judges each hour of the window once, up front; it must count exactly what
/// judging every bucket on its own counts — across both of Berlin's daylight-saving changes,
/// with `now` on and off the hour, for buckets on the window's edge, between whole hours and
/// after `now`.
#[test]
fn the_off_hours_counter_agrees_with_judging_each_bucket() {
    let hours = WorkHours::default();
    for now in [
        at(2026, 3, 30, 9),
        at(2026, 3, 30, 9) + Duration::minutes(30),
        at(2026, 10, 26, 18),
        at(2026, 10, 26, 18) + Duration::seconds(1),
        at(2026, 12, 3, 0),
    ] {
        let since = now - Duration::days(OFF_HOURS_WINDOW_DAYS);
        let mut buckets: Vec<(DateTime<Utc>, u64)> = (-40 * 24..3)
            .map(|h| (now + Duration::hours(h), 1 + (h.unsigned_abs() % 7)))
            .collect();
        buckets.push((since, 100));
        buckets.push((since - Duration::seconds(1), 1_000));
        buckets.push((now + Duration::minutes(17), 10_000));
        let u = usage(&buckets, &[]);
        let one_by_one: u64 = u
            .buckets
            .iter()
            .filter(|b| b.hour >= since && !hours.covers(b.hour, &Berlin))
            .map(|b| b.count)
            .sum();
        assert!(one_by_one > 0);
        assert_eq!(
            OffHoursCounter::new(&hours, &Berlin, now).count(&u),
            one_by_one,
            "now = {now}"
        );
    }
}
