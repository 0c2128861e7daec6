//! The policy's `latency:` section: review-time targets per tier (enforced or tried in preview),
//! the review SLOs, the team's working calendar, the AI review tools and the PRs left out
//! (`latency_exclude.rs`), as the digest measures review waiting with them. Each value is checked
//! while it is read, so a bad duration or time zone is reported at its line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{NaiveDate, Weekday};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};

use super::Tier;
use crate::latency::BusinessCalendar;
use crate::latency::calendar::parse_hours;
use crate::model::principal::UserLogin;
use crate::slo::{Share, SloRule};

/// How `flowgate digest` measures review waiting: review-time targets per tier, the working
/// calendar, and the AI review tools whose reviews are no one's first review.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "latency settings: a map with targets, slo, timezone, work_week, work_hours, holidays, ai_reviewers, exclude, hygiene"
)]
pub struct LatencyFile {
    /// The time to first review each tier should meet, on the digest's clock (working hours by
    /// default): `8h`, `90m`; or `{ target: 8h, mode: preview }` to try one out first.
    pub targets: Option<TargetsFile>,
    /// The IANA time zone of the working hours and of the digest's weeks. Default UTC.
    pub timezone: Option<ZoneName>,
    /// The days people work. Default Monday to Friday.
    pub work_week: Option<Vec<WeekdayName>>,
    /// Working hours each work day in local time: `"09-17"` or `"09:00-17:30"`. Default 09-17.
    pub work_hours: Option<WorkHours>,
    /// Days nobody works, `YYYY-MM-DD`.
    pub holidays: Option<Vec<HolidayDate>>,
    /// Logins of AI review tools: their reviews are never a person's first review.
    pub ai_reviewers: Option<Vec<UserLogin>>,
    /// Review SLOs that act while a PR waits, per tier: the working time within which a requested
    /// reviewer should first respond, and the escalation ladder (the App's reminders, channel
    /// messages and reassignment).
    pub slo: Option<SloFile>,
    /// PRs the digest leaves out of every figure, and names with a count per rule.
    pub exclude: Option<super::latency_exclude::ExcludeFile>,
    /// When the digest's hygiene section lists an approved PR left unmerged, and an idle PR.
    pub hygiene: Option<super::latency_hygiene::HygieneFile>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a map of tiers: red, yellow, green")]
pub struct SloFile {
    pub red: Option<SloTierFile>,
    pub yellow: Option<SloTierFile>,
    pub green: Option<SloTierFile>,
}

/// One tier's SLO: `{first_response: 4h, remind_at: 50%, channel_at: 100%, reassign_at: 150%}`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a tier's SLO: a map with first_response, remind_at, channel_at, reassign_at")]
pub struct SloTierFile {
    /// Working time within which a requested reviewer should first respond (a review of any
    /// kind, or a review comment), counted in that reviewer's own working hours: `4h`, `90m`.
    pub first_response: ReviewTarget,
    /// When to remind the reviewer (a Slack DM when their Slack user is known, else a PR comment
    /// that mentions them), as a share of `first_response`: `50%`.
    pub remind_at: Option<ShareText>,
    /// When to write to the reviewer's pool's channel: `100%`.
    pub channel_at: Option<ShareText>,
    /// When to hand the request to the next-best reviewer: `150%`.
    pub reassign_at: Option<ShareText>,
}

/// A share of the SLO, `1%` to `1000%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareText(pub Share);

impl<'de> Deserialize<'de> for ShareText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Share::parse(&text).map(ShareText).map_err(serde::de::Error::custom)
    }
}

impl Serialize for ShareText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}%", self.0.0))
    }
}

impl JsonSchema for ShareText {
    fn schema_name() -> Cow<'static, str> {
        "SloShare".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": "^[0-9]{1,4}%$", "description": "A share of the SLO: 50%." })
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a map of tiers: red, yellow, green")]
pub struct TargetsFile {
    pub red: Option<TargetSetting>,
    pub yellow: Option<TargetSetting>,
    pub green: Option<TargetSetting>,
}

/// A tier's target: `8h` (enforced), or `{ target: 8h, mode: preview }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TargetSetting {
    Plain(ReviewTarget),
    Full(TargetWithMode),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a target with its mode: { target: 8h, mode: preview }")]
pub struct TargetWithMode {
    pub target: ReviewTarget,
    /// `enforce` (the default): breaches are findings; `preview`: the digest only counts, week by
    /// week, the PRs that would have breached it.
    #[serde(default)]
    pub mode: TargetMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetMode {
    #[default]
    Enforce,
    Preview,
}

impl TargetSetting {
    fn parts(self) -> (Duration, TargetMode) {
        match self {
            TargetSetting::Plain(t) => (t.0, TargetMode::Enforce),
            TargetSetting::Full(t) => (t.target.0, t.mode),
        }
    }
}

impl<'de> Deserialize<'de> for TargetSetting {
    /// A string or a map, each read by its own reader so that its error names what is wrong
    /// (an untagged enum would only say that nothing matched).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = TargetSetting;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a review-time target such as 8h, or { target: 8h, mode: preview }")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<TargetSetting, E> {
                ReviewTarget::parse(text).map(TargetSetting::Plain).map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TargetSetting, A::Error> {
                TargetWithMode::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(TargetSetting::Full)
            }
        }
        d.deserialize_any(Visit)
    }
}

impl JsonSchema for TargetSetting {
    fn schema_name() -> Cow<'static, str> {
        "TargetSetting".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let plain = generator.subschema_for::<ReviewTarget>();
        let full = generator.subschema_for::<TargetWithMode>();
        json_schema!({ "oneOf": [plain, full] })
    }
}

/// The settings the digest uses, checked and complete.
#[derive(Debug, Clone, Default)]
pub struct LatencySettings {
    /// Enforced targets: breaches are findings.
    pub targets: BTreeMap<Tier, Duration>,
    /// Targets in `mode: preview`: counted week by week, never a finding.
    pub tried_targets: BTreeMap<Tier, Duration>,
    pub exclude: crate::latency::Exclusions,
    /// The working calendar, when the policy names any part of it.
    pub calendar: Option<BusinessCalendar>,
    pub ai_reviewers: Vec<String>,
    /// Review SLOs per tier; a tier without one has no ladder.
    pub slo: BTreeMap<Tier, SloRule>,
    /// The hygiene section's thresholds, where the policy sets them.
    pub hygiene: super::latency_hygiene::HygieneSettings,
}

/// Checks `latency:` as a whole: the calendar's parts make one calendar.
pub fn settings(file: LatencyFile) -> Result<LatencySettings, String> {
    let targets_file = file.targets.unwrap_or_default();
    let (mut targets, mut tried_targets) = (BTreeMap::new(), BTreeMap::new());
    for (tier, setting) in
        [(Tier::Red, targets_file.red), (Tier::Yellow, targets_file.yellow), (Tier::Green, targets_file.green)]
    {
        match setting.map(TargetSetting::parts) {
            Some((target, TargetMode::Enforce)) => targets.insert(tier, target),
            Some((target, TargetMode::Preview)) => tried_targets.insert(tier, target),
            None => None,
        };
    }
    let names_a_calendar =
        file.timezone.is_some() || file.work_week.is_some() || file.work_hours.is_some() || file.holidays.is_some();
    let calendar = if names_a_calendar {
        use Weekday::*;
        let zone = file.timezone.map_or_else(|| "UTC".to_string(), |z| z.0);
        let days: Vec<Weekday> = match file.work_week {
            Some(days) => days.into_iter().map(|d| d.0).collect(),
            None => vec![Mon, Tue, Wed, Thu, Fri],
        };
        let hours = file.work_hours.map_or((9 * 60, 17 * 60), |h| h.0);
        let holidays: Vec<NaiveDate> = file.holidays.unwrap_or_default().into_iter().map(|h| h.0).collect();
        let calendar = BusinessCalendar::new(&zone, &days, hours, &holidays).map_err(|e| match e {
            crate::latency::CalendarError::NoWorkDays => {
                "`latency.work_week` is empty: list the days people work, e.g. [mon, tue, wed, thu, fri]".to_string()
            }
            other => format!("`latency`: {other}"),
        })?;
        Some(calendar)
    } else {
        None
    };
    let mut slo = BTreeMap::new();
    let slo_file = file.slo.unwrap_or_default();
    for (tier, entry) in [(Tier::Red, slo_file.red), (Tier::Yellow, slo_file.yellow), (Tier::Green, slo_file.green)] {
        let Some(entry) = entry else { continue };
        let share = |s: Option<ShareText>| s.map(|s| s.0);
        let rule = SloRule::new(
            entry.first_response.0,
            share(entry.remind_at),
            share(entry.channel_at),
            share(entry.reassign_at),
        )
        .map_err(|e| format!("`latency.slo.{}`: {e}", tier.id()))?;
        slo.insert(tier, rule);
    }
    let hygiene = file.hygiene.map(super::latency_hygiene::HygieneFile::settings).transpose()?.unwrap_or_default();
    Ok(LatencySettings {
        hygiene,
        targets,
        slo,
        tried_targets,
        exclude: file.exclude.map(super::latency_exclude::ExcludeFile::rules).unwrap_or_default(),
        calendar,
        ai_reviewers: file.ai_reviewers.unwrap_or_default().into_iter().map(|l| l.0).collect(),
    })
}

/// A review-time target: a whole number of hours or minutes, above zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewTarget(pub Duration);

impl ReviewTarget {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{text:?} is not a review-time target: write whole hours or minutes, e.g. 8h or 90m (measured in working hours unless the digest runs on the calendar clock)"
            )
        };
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (number, unit) = text.split_at(split);
        let n: u64 = number.parse().map_err(|_| bad())?;
        let seconds = match unit {
            "h" => n.checked_mul(3600),
            "m" => n.checked_mul(60),
            _ => None,
        };
        match seconds {
            Some(s) if s > 0 && s <= 10 * 365 * 24 * 3600 => Ok(ReviewTarget(Duration::from_secs(s))),
            _ => Err(bad()),
        }
    }
}

impl<'de> Deserialize<'de> for ReviewTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ReviewTarget::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for ReviewTarget {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let secs = self.0.as_secs();
        if secs.is_multiple_of(3600) {
            s.serialize_str(&format!("{}h", secs / 3600))
        } else {
            s.serialize_str(&format!("{}m", secs / 60))
        }
    }
}

impl JsonSchema for ReviewTarget {
    fn schema_name() -> Cow<'static, str> {
        "ReviewTarget".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": "^[0-9]+[hm]$", "description": "Whole hours or minutes: 8h, 90m." })
    }
}

/// An IANA time zone name that this flowgate knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneName(pub String);

impl<'de> Deserialize<'de> for ZoneName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if jiff::tz::TimeZone::get(&text).is_err() {
            return Err(serde::de::Error::custom(format!(
                "unknown time zone {text:?}: use an IANA name such as Europe/Berlin"
            )));
        }
        Ok(ZoneName(text))
    }
}

impl Serialize for ZoneName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for ZoneName {
    fn schema_name() -> Cow<'static, str> {
        "TimeZone".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "description": "An IANA time zone such as Europe/Berlin." })
    }
}

/// A day of the week: `mon` or `monday`, any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekdayName(pub Weekday);

impl<'de> Deserialize<'de> for WeekdayName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse::<Weekday>().map(WeekdayName).map_err(|_| {
            serde::de::Error::custom(format!(
                "{text:?} is not a day of the week: write mon, tue, wed, thu, fri, sat or sun"
            ))
        })
    }
}

impl Serialize for WeekdayName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string().to_ascii_lowercase())
    }
}

impl JsonSchema for WeekdayName {
    fn schema_name() -> Cow<'static, str> {
        "Weekday".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] })
    }
}

/// Working hours of a day as minutes after local midnight, from `"09-17"` or `"09:00-17:30"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkHours(pub (u32, u32));

impl<'de> Deserialize<'de> for WorkHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        // Whole hours (`09-17`) are the common case; the calendar reads `HH:MM-HH:MM`.
        let with_minutes = |part: &str| {
            let part = part.trim();
            if part.contains(':') || part.is_empty() || part.len() > 2 {
                part.to_string()
            } else {
                format!("{part}:00")
            }
        };
        let normalized = text.split_once('-').map(|(a, b)| format!("{}-{}", with_minutes(a), with_minutes(b)));
        match normalized.as_deref().and_then(parse_hours) {
            Some((start, end)) if start < end => Ok(WorkHours((start, end))),
            _ => Err(serde::de::Error::custom(format!(
                "{text:?} are not working hours: write \"09-17\" or \"09:00-17:30\", the start before the end"
            ))),
        }
    }
}

impl Serialize for WorkHours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (start, end) = self.0;
        s.serialize_str(&format!("{:02}:{:02}-{:02}:{:02}", start / 60, start % 60, end / 60, end % 60))
    }
}

impl JsonSchema for WorkHours {
    fn schema_name() -> Cow<'static, str> {
        "WorkHours".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": "^[0-9]{2}(:[0-9]{2})?-[0-9]{2}(:[0-9]{2})?$" })
    }
}

/// A holiday, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HolidayDate(pub NaiveDate);

impl<'de> Deserialize<'de> for HolidayDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // YAML reads 2026-12-25 as a string; a date only ever arrives as text.
        let text = String::deserialize(d)?;
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(HolidayDate)
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a date: write holidays as YYYY-MM-DD")))
    }
}

impl Serialize for HolidayDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.format("%Y-%m-%d").to_string())
    }
}

impl JsonSchema for HolidayDate {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "date" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_whole_hours_or_minutes() {
        assert_eq!(ReviewTarget::parse("8h"), Ok(ReviewTarget(Duration::from_secs(8 * 3600))));
        assert_eq!(ReviewTarget::parse("90m"), Ok(ReviewTarget(Duration::from_secs(90 * 60))));
        for bad in ["8", "h", "0h", "2d", "8 hours", "-1h", "1.5h", "99999999999999999h"] {
            let e = ReviewTarget::parse(bad).unwrap_err();
            assert!(e.contains("not a review-time target"), "{bad}: {e}");
        }
    }

    #[test]
    fn work_hours_are_whole_hours_or_hours_and_minutes() {
        let hours = |text: &str| yaml_serde::from_str::<WorkHours>(&format!("{text:?}")).map(|h| h.0);
        assert_eq!(hours("09-17").unwrap(), (9 * 60, 17 * 60));
        assert_eq!(hours("9-17:30").unwrap(), (9 * 60, 17 * 60 + 30));
        assert_eq!(hours("00-24").unwrap(), (0, 24 * 60));
        for bad in ["17-09", "09", "09-25", "009-17", "-17", "09:00-17:60"] {
            let e = hours(bad).unwrap_err().to_string();
            assert!(e.contains("are not working hours"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_calendar_part_alone_fills_the_rest_with_office_hours() {
        let file = LatencyFile { timezone: Some(ZoneName("Europe/Berlin".into())), ..LatencyFile::default() };
        let calendar = settings(file).unwrap().calendar.expect("a calendar");
        assert_eq!(calendar.timezone(), "Europe/Berlin");
        let empty = LatencyFile { work_week: Some(Vec::new()), ..LatencyFile::default() };
        let e = settings(empty).unwrap_err();
        assert!(e.contains("latency.work_week"), "{e}");
        assert!(settings(LatencyFile::default()).unwrap().calendar.is_none());
    }

    #[test]
    fn an_slo_ladder_is_read_per_tier_and_one_that_does_not_escalate_is_refused() {
        let text = "version: 1\nextends: default\nlatency:\n  slo:\n    red: {first_response: 4h, remind_at: 50%, channel_at: 100%, reassign_at: 150%}\n    yellow: {first_response: 90m}\n";
        let policy = crate::policy::load::load_text(text, std::path::Path::new("flowgate.yml")).expect("a policy");
        let red = &policy.latency.slo[&Tier::Red];
        assert_eq!(red.first_response, Duration::from_secs(4 * 3600));
        let steps: Vec<(crate::slo::Step, Duration)> = red.steps().collect();
        assert_eq!(steps[2], (crate::slo::Step::Reassign, Duration::from_secs(6 * 3600)));
        assert_eq!(policy.latency.slo[&Tier::Yellow].steps().count(), 0, "a target without a ladder");
        assert!(!policy.latency.slo.contains_key(&Tier::Green));

        let backwards = "version: 1\nextends: default\nlatency:\n  slo:\n    red: {first_response: 4h, remind_at: 100%, channel_at: 50%}\n";
        let e =
            crate::policy::load::load_text(backwards, std::path::Path::new("flowgate.yml")).unwrap_err().to_string();
        assert!(e.contains("latency.slo.red") && e.contains("must come before `channel_at`"), "{e}");
        let not_a_share =
            "version: 1\nextends: default\nlatency:\n  slo:\n    red: {first_response: 4h, remind_at: half}\n";
        let e =
            crate::policy::load::load_text(not_a_share, std::path::Path::new("flowgate.yml")).unwrap_err().to_string();
        assert!(e.contains("flowgate.yml:5") && e.contains("not a share of the SLO"), "{e}");
    }
}
