//! Business hours: weekends, holidays, DST change days, spans starting or ending outside hours,
//! long spans, and the calendar's settings shape.

use std::time::Duration;

use chrono::{Datelike, NaiveDate, TimeDelta, Timelike, Weekday};

use super::support::t;
use crate::latency::{BusinessCalendar, CalendarError, CalendarSpec};

fn hours(h: u64) -> Duration {
    Duration::from_secs(h * 3600)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

fn utc_office() -> BusinessCalendar {
    BusinessCalendar::office_hours("UTC").expect("UTC")
}

#[test]
fn a_span_inside_one_working_day_counts_in_full() {
    let cal = utc_office();
    assert_eq!(
        cal.duration_between(t("2025-03-03 10:00"), t("2025-03-03 13:30")),
        Duration::from_secs(3 * 3600 + 1800)
    );
}

#[test]
fn time_before_and_after_hours_does_not_count() {
    let cal = utc_office();
    assert_eq!(cal.duration_between(t("2025-03-03 06:00"), t("2025-03-03 22:00")), hours(8));
    assert_eq!(cal.duration_between(t("2025-03-03 18:00"), t("2025-03-04 08:00")), Duration::ZERO);
    assert_eq!(cal.duration_between(t("2025-03-03 18:00"), t("2025-03-04 09:30")), Duration::from_secs(1800));
}

#[test]
fn a_weekend_does_not_count() {
    let cal = utc_office();
    // Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
    assert_eq!(cal.duration_between(t("2025-03-07 16:00"), t("2025-03-10 10:00")), hours(2));
    assert_eq!(cal.duration_between(t("2025-03-08 10:00"), t("2025-03-09 15:00")), Duration::ZERO);
}

#[test]
fn holidays_do_not_count() {
    let cal = BusinessCalendar::new(
        "UTC",
        &[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
        (9 * 60, 17 * 60),
        &[date("2025-03-10")],
    )
    .expect("calendar");
    assert_eq!(cal.duration_between(t("2025-03-07 16:00"), t("2025-03-11 10:00")), hours(2));
}

#[test]
fn an_end_before_the_start_is_zero() {
    let cal = utc_office();
    assert_eq!(cal.duration_between(t("2025-03-04 12:00"), t("2025-03-03 12:00")), Duration::ZERO);
}

#[test]
fn working_hours_are_local_across_a_dst_change() {
    let cal = BusinessCalendar::office_hours("America/New_York").expect("tz");
    // Friday 09:00 EST (14:00 UTC) to Monday 17:00 EDT (21:00 UTC), clocks moved on Sunday.
    assert_eq!(cal.duration_between(t("2025-03-07 14:00"), t("2025-03-10 21:00")), hours(16));
    // Monday 09:00 EDT is 13:00 UTC, not 14:00: the whole day counts from there.
    assert_eq!(cal.duration_between(t("2025-03-10 13:00"), t("2025-03-10 21:00")), hours(8));
    assert_eq!(cal.duration_between(t("2025-03-10 12:00"), t("2025-03-10 13:00")), Duration::ZERO);
}

#[test]
fn a_dst_change_day_is_as_long_as_it_was() {
    let every_day = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
    let all_day = BusinessCalendar::new("Europe/Berlin", &every_day, (0, 24 * 60), &[]).expect("calendar");
    // 30 March 2025: local midnight to midnight is 23 hours; 26 October: 25 hours.
    assert_eq!(all_day.duration_between(t("2025-03-29 23:00"), t("2025-03-30 22:00")), hours(23));
    assert_eq!(all_day.duration_between(t("2025-10-25 22:00"), t("2025-10-26 23:00")), hours(25));
    // Hours of 01:00 to 04:00 local lose the skipped hour on the spring day.
    let night = BusinessCalendar::new("Europe/Berlin", &every_day, (60, 4 * 60), &[]).expect("calendar");
    assert_eq!(night.duration_between(t("2025-03-29 22:00"), t("2025-03-30 22:00")), hours(2));
    assert_eq!(night.duration_between(t("2025-10-25 22:00"), t("2025-10-26 23:00")), hours(4));
}

#[test]
fn many_weeks_count_every_working_day_once() {
    let cal = BusinessCalendar::new(
        "UTC",
        &[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
        (9 * 60, 17 * 60),
        &[date("2025-04-18")],
    )
    .expect("calendar");
    // Ten weeks of five eight-hour days, less Good Friday.
    assert_eq!(cal.duration_between(t("2025-03-03 00:00"), t("2025-05-12 00:00")), hours(392));
    // Ten years stays cheap: one step per day.
    let decade = cal.duration_between(t("2020-01-01 00:00"), t("2030-01-01 00:00"));
    assert_eq!(decade, hours(8 * weekdays(date("2020-01-01"), date("2030-01-01")) - 8));
}

fn weekdays(from: NaiveDate, to: NaiveDate) -> u64 {
    from.iter_days().take_while(|d| *d < to).filter(|d| d.weekday().num_days_from_monday() < 5).count() as u64
}

/// Against a minute-by-minute count, over spans that start and end at every kind of moment.
#[test]
fn agrees_with_counting_minutes() {
    let cal = utc_office();
    let origin = t("2025-02-27 00:00");
    let mut seed: u64 = 42;
    let mut next = |limit: i64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) as i64) % limit
    };
    for _ in 0..40 {
        let start = origin + TimeDelta::minutes(next(14 * 24 * 60));
        let end = start + TimeDelta::minutes(next(16 * 24 * 60));
        let mut minutes = 0;
        let mut at = start;
        while at < end {
            let working = at.weekday().num_days_from_monday() < 5 && (9..17).contains(&at.hour());
            minutes += u64::from(working);
            at += TimeDelta::minutes(1);
        }
        assert_eq!(cal.duration_between(start, end), Duration::from_secs(minutes * 60), "{start} to {end}");
    }
}

#[test]
fn the_settings_shape_reads_names_and_hours() {
    let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
        "timezone": "Europe/Paris",
        "work_days": ["Mon", "tuesday", "Wed", "Thu", "Fri"],
        "hours": "09:30-18:00",
        "holidays": ["2025-05-01"]
    }))
    .expect("spec");
    let cal = BusinessCalendar::from_spec(&spec).expect("calendar");
    assert_eq!(cal.timezone(), "Europe/Paris");
    // Thursday 1 May is a holiday; Friday 2 May 09:30 to 18:00 CEST is 07:30 to 16:00 UTC.
    assert_eq!(
        cal.duration_between(t("2025-05-01 00:00"), t("2025-05-03 00:00")),
        Duration::from_secs(8 * 3600 + 1800)
    );
}

#[test]
fn bad_settings_are_errors_not_panics() {
    let week = [Weekday::Mon];
    assert!(matches!(BusinessCalendar::new("Mars/Olympus", &week, (540, 1020), &[]), Err(CalendarError::TimeZone(_))));
    assert!(matches!(BusinessCalendar::new("UTC", &week, (1020, 540), &[]), Err(CalendarError::Hours(_))));
    assert!(matches!(BusinessCalendar::new("UTC", &[], (540, 1020), &[]), Err(CalendarError::NoWorkDays)));
    let spec = |hours: &str| CalendarSpec {
        timezone: "UTC".into(),
        work_days: week.to_vec(),
        hours: hours.into(),
        holidays: vec![],
    };
    for bad in ["9-17", "09:00", "09:60-17:00", "25:00-26:00", "17:00-09:00"] {
        assert!(BusinessCalendar::from_spec(&spec(bad)).is_err(), "{bad}");
    }
    assert!(BusinessCalendar::from_spec(&spec("00:00-24:00")).is_ok());
}

#[test]
fn a_persons_calendar_keeps_the_teams_week_and_holidays_in_their_own_hours() {
    use chrono::Weekday::*;
    let holiday = chrono::NaiveDate::from_ymd_opt(2025, 3, 4).expect("a date");
    let team = BusinessCalendar::new("Europe/Berlin", &[Mon, Tue, Wed, Thu, Fri], (9 * 60, 17 * 60), &[holiday])
        .expect("calendar");
    let tokyo = team.for_person("Asia/Tokyo", (9 * 60, 17 * 60)).expect("Tokyo");
    // Monday 01:00 UTC is 10:00 in Tokyo: working there, night in Berlin.
    assert!(tokyo.is_working(t("2025-03-03 01:00").timestamp()));
    assert!(!team.is_working(t("2025-03-03 01:00").timestamp()));
    // The team's holiday (Tuesday) and weekend are the person's too.
    assert!(!tokyo.is_working(t("2025-03-04 01:00").timestamp()));
    assert!(!tokyo.is_working(t("2025-03-08 01:00").timestamp()));
    let nights = team.for_person("UTC", (22 * 60, 6 * 60)).expect("a shift past midnight");
    assert!(
        nights.is_working(t("2025-03-03 23:00").timestamp()) && nights.is_working(t("2025-03-05 05:00").timestamp())
    );
    let to_midnight = team.for_person("UTC", (18 * 60, 0)).expect("18-24");
    assert!(to_midnight.is_working(t("2025-03-03 23:30").timestamp()));
    assert!(team.for_person("Mars/Olympus", (9 * 60, 17 * 60)).is_err());
    assert!(team.for_person("UTC", (9 * 60, 9 * 60)).is_err());
}
