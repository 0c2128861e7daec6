//! Spans of time on the command line: `--since 90d` back from `--until` (an RFC 3339 time).

use chrono::{DateTime, TimeDelta, Utc};
use flowgate::UserError;

/// `90d`, `12w`, `36h`, `30m`: a span back from now.
pub fn parse_span(text: &str) -> Result<TimeDelta, String> {
    let bad = || format!("`{text}` is not a span: write a whole number and a unit, e.g. 7d, 2w, 48h or 30m");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let span = match unit {
        "w" => TimeDelta::try_weeks(n),
        "d" => TimeDelta::try_days(n),
        "h" => TimeDelta::try_hours(n),
        "m" => TimeDelta::try_minutes(n),
        _ => None,
    };
    span.filter(|s| *s > TimeDelta::zero()).ok_or_else(bad)
}

/// `end - span`, refused rather than overflowing for a span reaching before any date.
pub fn span_start(end: DateTime<Utc>, span: TimeDelta) -> Result<DateTime<Utc>, UserError> {
    end.checked_sub_signed(span)
        .ok_or_else(|| UserError::Usage(format!("--since reaches back beyond the dates flowgate can count from {end}")))
}

pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{text}` is not an RFC 3339 time such as 2025-03-10T00:00:00Z: {e}"))
}
