//! Business time: how much of a span falls in a team's working hours, in its own time zone, with
//! its work week and holidays. Every waiting figure is measured through a `Clock` built on this.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime as CivilDateTime};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// The calendar as a settings file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// An IANA name such as `Europe/Berlin`.
    pub timezone: String,
    /// `Mon`..`Sun` (any case, short or long names).
    pub work_days: Vec<Weekday>,
    /// Working hours each work day, `HH:MM-HH:MM` in local time; `24:00` ends at midnight.
    pub hours: String,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("unknown time zone `{0}`: use an IANA name such as Europe/Berlin")]
    TimeZone(String),
    #[error("working hours `{0}` are not HH:MM-HH:MM with the start before the end")]
    Hours(String),
    #[error("the work week has no days")]
    NoWorkDays,
}

/// A team's working time. Durations count only seconds inside working hours on work days that are
/// not holidays, in local time, so a DST change shortens or lengthens that day's hours as it did
/// for the people waiting.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    tz: TimeZone,
    tz_name: String,
    /// Indexed by days from Monday.
    work_days: [bool; 7],
    /// Minutes after local midnight; `day_end` may be 1440 (midnight at the day's end). A start
    /// after the end (only through `wrapping`) is a shift past midnight: a work day's hours are
    /// then `[00:00, end)` and `[start, 24:00)` of that local day.
    day_start: u32,
    day_end: u32,
    holidays: BTreeSet<Date>,
}

impl BusinessCalendar {
    /// `hours` are `(start, end)` as minutes after local midnight, e.g. `(9 * 60, 17 * 60)`.
    pub fn new(
        timezone: &str,
        work_days: &[Weekday],
        hours: (u32, u32),
        holidays: &[NaiveDate],
    ) -> Result<Self, CalendarError> {
        let tz = TimeZone::get(timezone).map_err(|_| CalendarError::TimeZone(timezone.to_string()))?;
        let (day_start, day_end) = hours;
        if day_start >= day_end || day_end > 24 * 60 {
            return Err(CalendarError::Hours(format!("{}-{}", hhmm(day_start), hhmm(day_end))));
        }
        let mut days = [false; 7];
        for day in work_days {
            days[day.num_days_from_monday() as usize] = true;
        }
        if !days.contains(&true) {
            return Err(CalendarError::NoWorkDays);
        }
        let holidays = holidays.iter().filter_map(|d| to_civil_date(*d)).collect();
        Ok(BusinessCalendar { tz, tz_name: timezone.to_string(), work_days: days, day_start, day_end, holidays })
    }

    /// A person's calendar, whose hours may wrap past midnight (`22:00-06:00`); otherwise as `new`.
    pub fn wrapping(
        timezone: &str,
        work_days: &[Weekday],
        hours: (u32, u32),
        holidays: &[NaiveDate],
    ) -> Result<Self, CalendarError> {
        let (start, end) = hours;
        if start > end && start < 24 * 60 && end > 0 {
            let mut calendar = Self::new(timezone, work_days, (0, 24 * 60), holidays)?;
            (calendar.day_start, calendar.day_end) = (start, end);
            return Ok(calendar);
        }
        Self::new(timezone, work_days, hours, holidays)
    }

    /// A person's calendar: this (team) calendar's work week and holidays, in their own time zone
    /// and hours (`(start, end)` minutes after local midnight; a start after the end wraps past
    /// midnight, and an end of 00:00 is midnight at the day's end), so that a reviewer in Tokyo is
    /// measured in Tokyo's hours but keeps the team's days off.
    pub fn for_person(&self, timezone: &str, hours: (u32, u32)) -> Result<Self, CalendarError> {
        let (start, end) = hours;
        let hours = (start, if end == 0 { 24 * 60 } else { end });
        let days: Vec<Weekday> =
            (0u8..7).filter(|i| self.work_days[usize::from(*i)]).filter_map(|i| Weekday::try_from(i).ok()).collect();
        let mut calendar = Self::wrapping(timezone, &days, hours, &[])?;
        calendar.holidays = self.holidays.clone();
        Ok(calendar)
    }

    pub fn from_spec(spec: &CalendarSpec) -> Result<Self, CalendarError> {
        let hours = parse_hours(&spec.hours).ok_or_else(|| CalendarError::Hours(spec.hours.clone()))?;
        Self::new(&spec.timezone, &spec.work_days, hours, &spec.holidays)
    }

    /// Monday to Friday, 09:00 to 17:00, no holidays: a start for teams that configured nothing.
    pub fn office_hours(timezone: &str) -> Result<Self, CalendarError> {
        use Weekday::*;
        Self::new(timezone, &[Mon, Tue, Wed, Thu, Fri], (9 * 60, 17 * 60), &[])
    }

    pub fn timezone(&self) -> &str {
        &self.tz_name
    }

    /// Working time between two instants; zero when `end` is not after `start`.
    pub fn duration_between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Duration {
        Duration::from_secs(self.business_seconds(start.timestamp(), end.timestamp()).unsigned_abs())
    }

    /// Working seconds in `[start, end)` (Unix seconds). One step per local calendar day, so a span
    /// of months costs a few hundred steps, never one per minute.
    pub(crate) fn business_seconds(&self, start: i64, end: i64) -> i64 {
        if end <= start {
            return 0;
        }
        let (Some(first), Some(last)) = (self.local_date(start), self.local_date(end)) else {
            return 0;
        };
        let mut total = 0;
        let mut day = first;
        loop {
            for (open, close) in self.day_intervals(day) {
                total += (close.min(end) - open.max(start)).max(0);
            }
            if day >= last {
                break;
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        total
    }

    /// Whether `at` (Unix seconds) falls inside working hours.
    pub fn is_working(&self, at: i64) -> bool {
        self.local_date(at).is_some_and(|day| self.day_intervals(day).any(|(open, close)| open <= at && at < close))
    }

    /// The first instant at or after `at` inside working hours, within `MAX_SEARCH_DAYS`.
    pub fn next_working(&self, at: i64) -> Option<i64> {
        let mut day = self.local_date(at)?;
        for _ in 0..MAX_SEARCH_DAYS {
            if let Some(open) =
                self.day_intervals(day).filter(|(_, close)| *close > at).map(|(open, _)| open.max(at)).min()
            {
                return Some(open);
            }
            day = day.tomorrow().ok()?;
        }
        None
    }

    /// The instant at which `seconds` of working time have passed since `start`: the inverse of
    /// `business_seconds`. `None` when that is more than `MAX_SEARCH_DAYS` away.
    pub fn after_working(&self, start: i64, seconds: i64) -> Option<i64> {
        let mut left = seconds.max(0);
        let mut day = self.local_date(start)?;
        for _ in 0..MAX_SEARCH_DAYS {
            let mut intervals: Vec<(i64, i64)> = self.day_intervals(day).collect();
            intervals.sort_unstable();
            for (open, close) in intervals {
                let from = open.max(start);
                if close <= from {
                    continue;
                }
                if close - from >= left {
                    return Some(from + left);
                }
                left -= close - from;
            }
            day = day.tomorrow().ok()?;
        }
        None
    }

    /// The local date of an instant, for grouping completions into weeks.
    pub(crate) fn local_naive_date(&self, at: DateTime<Utc>) -> Option<NaiveDate> {
        let date = self.local_date(at.timestamp())?;
        NaiveDate::from_ymd_opt(
            i32::from(date.year()),
            u32::try_from(date.month()).ok()?,
            u32::try_from(date.day()).ok()?,
        )
    }

    /// The instant (Unix seconds) a local day starts: where the digest's weeks begin and end.
    pub(crate) fn local_midnight(&self, day: NaiveDate) -> Option<i64> {
        self.local_instant(to_civil_date(day)?, 0)
    }

    fn local_date(&self, unix: i64) -> Option<Date> {
        let ts = Timestamp::from_second(unix).ok()?;
        Some(self.tz.to_datetime(ts).date())
    }

    fn is_work_day(&self, day: Date) -> bool {
        let index = day.weekday().to_monday_zero_offset();
        self.work_days.get(index as usize).copied().unwrap_or(false) && !self.holidays.contains(&day)
    }

    /// A work day's working hours as Unix seconds: one span, or two for a shift past midnight;
    /// none on a day off. A local time that a DST change skips or repeats resolves as clocks on
    /// the wall do (the later instant for a gap, the earlier for a fold).
    fn day_intervals(&self, day: Date) -> impl Iterator<Item = (i64, i64)> {
        let spans: [Option<(u32, u32)>; 2] = if !self.is_work_day(day) {
            [None, None]
        } else if self.day_start < self.day_end {
            [Some((self.day_start, self.day_end)), None]
        } else {
            [Some((0, self.day_end)), Some((self.day_start, 24 * 60))]
        };
        spans.into_iter().flatten().filter_map(move |(open, close)| {
            Some((self.local_instant(day, open)?, self.local_instant(day, close)?)).filter(|(o, c)| o < c)
        })
    }

    fn local_instant(&self, day: Date, minutes: u32) -> Option<i64> {
        let (day, minutes) = if minutes >= 24 * 60 { (day.tomorrow().ok()?, 0) } else { (day, minutes) };
        let hour = i8::try_from(minutes / 60).ok()?;
        let minute = i8::try_from(minutes % 60).ok()?;
        let civil = CivilDateTime::new(day.year(), day.month(), day.day(), hour, minute, 0, 0).ok()?;
        Some(self.tz.to_ambiguous_timestamp(civil).compatible().ok()?.as_second())
    }
}

/// How far ahead `next_working` and `after_working` look: two years covers any sane working
/// calendar, and bounds the walk for one that never opens (every day a holiday).
const MAX_SEARCH_DAYS: u32 = 731;

/// Which time the durations are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// Only working hours count (the default: a Friday-evening PR did not wait all weekend).
    #[default]
    Business,
    /// Wall-clock time.
    Calendar,
}

/// The calendar and the mode together: the one place a duration is measured.
#[derive(Debug, Clone)]
pub struct Clock {
    pub calendar: BusinessCalendar,
    pub mode: ClockMode,
}

impl Clock {
    /// Seconds in `[start, end)` (Unix seconds) in the chosen mode; never negative.
    pub(crate) fn seconds(&self, start: i64, end: i64) -> i64 {
        match self.mode {
            ClockMode::Business => self.calendar.business_seconds(start, end),
            ClockMode::Calendar => (end - start).max(0),
        }
    }

    pub fn duration_between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Duration {
        Duration::from_secs(self.seconds(start.timestamp(), end.timestamp()).unsigned_abs())
    }
}

fn to_civil_date(date: NaiveDate) -> Option<Date> {
    let year = i16::try_from(date.year()).ok()?;
    let month = i8::try_from(date.month()).ok()?;
    let day = i8::try_from(date.day()).ok()?;
    Date::new(year, month, day).ok()
}

/// `09:00-17:30` to minutes after midnight.
pub fn parse_hours(text: &str) -> Option<(u32, u32)> {
    let (start, end) = text.split_once('-')?;
    Some((parse_hhmm(start.trim())?, parse_hhmm(end.trim())?))
}

fn parse_hhmm(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return None;
    }
    Some(h * 60 + m)
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}
