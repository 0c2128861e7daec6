//! The checked `reviewers:` section of a policy: pools, what each tier requests, the AI spot
//! check, availability and score weights. `policy/load.rs` builds it; holding one means it is valid.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};

use crate::latency::BusinessCalendar;
use crate::model::Login;
use crate::model::{Principal, Tier};

#[derive(Debug, Clone)]
pub struct ReviewerPolicy {
    /// By name; every name a tier or the spot check uses is defined here.
    pub pools: BTreeMap<String, Pool>,
    /// Tiers without an entry request no one.
    pub tiers: BTreeMap<Tier, TierNeed>,
    pub spot_check: Option<SpotCheckRule>,
    pub unavailable: Vec<Login>,
    pub working_hours: Vec<(Login, WorkingHours)>,
    pub weights: Weights,
    /// Weeks of review history the fairness part and recent expertise count (`fairness_weeks`).
    pub fairness_weeks: u32,
}

/// The fairness window when the policy does not set `fairness_weeks`.
pub const DEFAULT_FAIRNESS_WEEKS: u32 = 2;

impl ReviewerPolicy {
    pub fn pool(&self, name: &str) -> Option<&Pool> {
        self.pools.get(name)
    }

    pub fn hours_of(&self, login: &Login) -> Option<&WorkingHours> {
        self.working_hours.iter().find(|(l, _)| l == login).map(|(_, h)| h)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    pub name: String,
    /// Logins and `@org/team`s; teams are expanded with the membership the caller knows.
    pub members: Vec<Principal>,
    /// How many open review requests a member of this pool should carry at most.
    pub capacity: u32,
}

/// What one tier asks for: `request` reviewers in total from `from`, at least one of them from
/// the first pool listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierNeed {
    pub request: u32,
    pub from: Vec<String>,
}

/// A sampled share of AI-touched PRs gets one more reviewer from `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpotCheckRule {
    pub percent: u8,
    pub from: Vec<String>,
}

/// How much each part of the score counts. Only their ratios matter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    pub expertise: f64,
    pub load: f64,
    pub fairness: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { expertise: 1.0, load: 1.0, fairness: 0.5 }
    }
}

/// Hours in a person's own time zone during which they can be asked for urgent reviews:
/// `"Europe/Berlin 09-17"`. A start after the end wraps past midnight (`"Asia/Tokyo 22-06"`).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingHours {
    pub text: String,
    pub zone: TimeZone,
    pub start: u8,
    pub end: u8,
}

impl WorkingHours {
    pub fn parse(text: &str) -> Result<Self, String> {
        let format = "write working hours as \"<IANA time zone> HH-HH\", e.g. \"Europe/Berlin 09-17\"";
        let mut words = text.split_whitespace();
        let (Some(zone_name), Some(hours), None) = (words.next(), words.next(), words.next()) else {
            return Err(format!("{text:?}: {format}"));
        };
        let zone = TimeZone::get(zone_name)
            .map_err(|_| format!("{text:?}: {zone_name:?} is not a known IANA time zone (such as Europe/Berlin)"))?;
        let hour = |s: &str| s.parse::<u8>().ok().filter(|h| *h <= 24 && s.len() <= 2);
        let (start, end) = match hours.split_once('-') {
            Some((a, b)) => match (hour(a), hour(b)) {
                (Some(a), Some(b)) => (a, b),
                _ => return Err(format!("{text:?}: hours must be whole hours from 00 to 24; {format}")),
            },
            None => return Err(format!("{text:?}: {format}")),
        };
        if start % 24 == end % 24 {
            return Err(format!("{text:?}: the hours start and end at the same time"));
        }
        Ok(WorkingHours { text: text.to_string(), zone, start, end })
    }

    /// The hours as minutes after local midnight, `(start, end)`: `(1320, 360)` for `22-06`,
    /// `(540, 1440)` for `09-24`.
    pub fn minutes(&self) -> (u32, u32) {
        (u32::from(self.start % 24) * 60, u32::from(self.end % 24) * 60)
    }

    /// The IANA name of the zone, as written.
    pub fn zone_name(&self) -> &str {
        self.text.split_whitespace().next().unwrap_or("UTC")
    }

    /// This person's working calendar: these hours in this zone, with the team calendar's work
    /// week and holidays; the team calendar itself should the hours not make one.
    pub fn calendar(&self, team: &BusinessCalendar) -> BusinessCalendar {
        team.for_person(self.zone_name(), self.minutes()).unwrap_or_else(|_| team.clone())
    }

    /// Whether `now` falls inside the hours, and the local time there.
    pub fn check(&self, now: Timestamp) -> (bool, Time) {
        let local = now.to_zoned(self.zone.clone());
        let hour = local.hour() as u8;
        let (start, end) = (self.start % 24, self.end % 24);
        let inside = if start < end { (start..end).contains(&hour) } else { hour >= start || hour < end };
        (inside, local.time())
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for WorkingHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        WorkingHours::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for WorkingHours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl JsonSchema for WorkingHours {
    fn schema_name() -> Cow<'static, str> {
        "WorkingHours".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^\\s*[A-Za-z0-9_+/-]+\\s+[0-9]{1,2}-[0-9]{1,2}\\s*$",
            "description": "An IANA time zone and whole hours, `HH-HH`: `Europe/Berlin 09-17`.",
            "examples": ["Europe/Berlin 09-17", "America/New_York 08-16"]
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use crate::policy::LoadError;
    use crate::policy::load::{PolicyFiles, load_from, load_text};
    use crate::policy::{Policy, Tier};

    const BASE: &str = "version: 1\ntiers:\n  yellow:\n    default: true\n";

    const REVIEWERS: &str = r#"reviewers:
  pools:
    security: { members: ["@acme/security"], capacity: 3 }
    seniors:  { members: [alice, carol, dave], capacity: 4 }
  tiers:
    red:    { request: 2, from: [security, seniors] }
    yellow: { request: 1, from: [seniors] }
  ai_spot_check: { percent: 30, from: [seniors] }
  unavailable: [erin]
  working_hours: { alice: "Europe/Berlin 09-17" }
"#;

    fn load(text: &str) -> Result<Policy, LoadError> {
        load_text(text, Path::new("test.yml"))
    }

    /// The error for `reviewers` (appended to a valid policy) as the CLI prints it.
    fn error(reviewers: &str) -> String {
        match load(&format!("{BASE}{reviewers}")) {
            Ok(_) => panic!("should be rejected:\n{reviewers}"),
            Err(e) => e.to_string(),
        }
    }

    fn assert_mentions(message: &str, needles: &[&str]) {
        for needle in needles {
            assert!(message.contains(needle), "the error should mention {needle:?}:\n{message}");
        }
    }

    #[test]
    fn the_documented_section_loads() {
        let policy = load(&format!("{BASE}{REVIEWERS}")).unwrap_or_else(|e| panic!("{e}"));
        let r = policy.reviewers.expect("reviewers");
        assert_eq!(r.pools["security"].capacity, 3);
        assert_eq!(r.tiers[&Tier::Red].from, ["security", "seniors"]);
        assert!(!r.tiers.contains_key(&Tier::Green));
        assert_eq!(r.spot_check.as_ref().map(|s| s.percent), Some(30));
        assert_eq!(r.weights, super::Weights::default());
        let hours = &r.working_hours[0].1;
        assert_eq!((hours.start, hours.end), (9, 17));
        assert!(load(BASE).unwrap().reviewers.is_none(), "the section is optional");
    }

    #[test]
    fn a_tier_naming_an_undefined_pool_lists_the_defined_ones() {
        let text = REVIEWERS.replace("from: [security, seniors]", "from: [secuirty, seniors]");
        let e = error(&text);
        assert_mentions(&e, &["test.yml", "reviewers.tiers.red.from", "\"secuirty\"", "security, seniors"]);
        let text = REVIEWERS.replace("percent: 30, from: [seniors]", "percent: 30, from: [elders]");
        assert_mentions(&error(&text), &["reviewers.ai_spot_check.from", "\"elders\"", "security, seniors"]);
    }

    #[test]
    fn bad_values_are_reported_at_their_line() {
        // (text to replace, its replacement, the line within REVIEWERS, what the error says)
        let cases: &[(&str, &str, usize, &[&str])] = &[
            ("capacity: 3", "capacity: 0", 3, &["capacity 0", "at least 1"]),
            ("percent: 30", "percent: 101", 8, &["percent 101", "0 to 100"]),
            ("\"Europe/Berlin 09-17\"", "\"Europe/Berlim 09-17\"", 10, &["Europe/Berlim", "IANA time zone"]),
            ("\"Europe/Berlin 09-17\"", "\"Europe/Berlin 9am-5pm\"", 10, &["whole hours", "Europe/Berlin 09-17"]),
            ("\"Europe/Berlin 09-17\"", "\"Europe/Berlin 09-25\"", 10, &["00 to 24"]),
            ("\"Europe/Berlin 09-17\"", "\"09-17\"", 10, &["<IANA time zone> HH-HH"]),
            (
                "[alice, carol, dave]",
                "[alice, \"carol smith\", dave]",
                4,
                &["carol smith", "neither a GitHub login nor a team"],
            ),
            ("[\"@acme/security\"]", "[\"@acme\"]", 3, &["@acme", "@org/team-slug"]),
            ("unavailable: [erin]", "unavailable: [\"@acme/ops\"]", 9, &["@acme/ops", "is a team"]),
            ("capacity: 4 }", "capacty: 4 }", 4, &["capacty", "members", "capacity"]),
            ("unavailable: [erin]", "away: [erin]", 9, &["away", "pools", "tiers", "working_hours", "weights"]),
            // A bad map key is reported where the map starts.
            ("    seniors:", "    the seniors:", 3, &["the seniors", "pool name"]),
        ];
        for (from, to, line, needles) in cases {
            let text = format!("{BASE}{}", REVIEWERS.replace(from, to));
            match load(&text) {
                Err(LoadError::Syntax { line: at, message, .. }) => {
                    assert_eq!(at, *line + 4, "{to}: {message}");
                    assert_mentions(&message, needles);
                }
                other => panic!("{to}: expected an error at a line, got {other:?}"),
            }
        }
    }

    #[test]
    fn incomplete_sections_say_what_is_missing() {
        assert_mentions(&error("reviewers: {}\n"), &["reviewers.pools", "at least one pool"]);
        assert_mentions(
            &error("reviewers:\n  pools:\n    a: { members: [], capacity: 1 }\n"),
            &["reviewers.pools.a", "no members"],
        );
        assert_mentions(&error("reviewers:\n  pools:\n    a: { members: [x] }\n"), &["reviewers.pools.a", "capacity"]);
        let pools = "reviewers:\n  pools:\n    a: { members: [x], capacity: 1 }\n";
        assert_mentions(&error(&format!("{pools}  tiers:\n    red: {{ from: [a] }}\n")), &["tiers.red", "request"]);
        assert_mentions(&error(&format!("{pools}  tiers:\n    red: {{ request: 1 }}\n")), &["tiers.red", "from", "a"]);
        assert_mentions(&error(&format!("{pools}  tiers:\n    red: {{ request: 1, from: [] }}\n")), &["empty"]);
        assert_mentions(&error(&format!("{pools}  ai_spot_check: {{ from: [a] }}\n")), &["percent"]);
        assert_mentions(&error(&format!("{pools}  weights: {{ load: -1 }}\n")), &["weight -1", "0 or more"]);
        assert_mentions(&error(&format!("{pools}  fairness_weeks: 0\n")), &["fairness_weeks 0", "1 to 52"]);
        assert_mentions(&error(&format!("{pools}  fairness_weeks: 53\n")), &["fairness_weeks 53", "1 to 52"]);
        assert_mentions(&error(&format!("{pools}  fairness_weeks: two\n")), &["fairness_weeks"]);
    }

    #[test]
    fn the_fairness_window_is_two_weeks_unless_set() {
        let pools = "reviewers:\n  pools:\n    a: { members: [x], capacity: 1 }\n";
        let weeks = |text: &str| load(&format!("{BASE}{text}")).unwrap().reviewers.unwrap().fairness_weeks;
        assert_eq!(weeks(pools), 2);
        assert_eq!(weeks(&format!("{pools}  fairness_weeks: 4\n")), 4);
    }

    struct Memory(BTreeMap<PathBuf, String>);

    impl PolicyFiles for Memory {
        fn read(&self, path: &Path) -> Result<String, String> {
            self.0.get(path).cloned().ok_or_else(|| "no such file".into())
        }
        fn describe(&self, path: &Path) -> String {
            path.display().to_string()
        }
    }

    #[test]
    fn extends_merges_pools_key_by_key() {
        let files = Memory(BTreeMap::from([
            (PathBuf::from("org.yml"), format!("{BASE}{REVIEWERS}")),
            (
                PathBuf::from("repo.yml"),
                "extends: org.yml\nreviewers:\n  pools:\n    seniors: { capacity: 6 }\n    juniors: { members: [zoe], capacity: 2 }\n"
                    .into(),
            ),
        ]));
        let policy = load_from(&files, Path::new("repo.yml")).unwrap_or_else(|e| panic!("{e}"));
        let r = policy.reviewers.expect("reviewers");
        assert_eq!(r.pools["seniors"].capacity, 6);
        assert_eq!(r.pools["seniors"].members.len(), 3, "members are inherited");
        assert_eq!(r.pools.len(), 3);
        assert_eq!(r.tiers[&Tier::Red].request, 2);
    }

    #[test]
    fn working_hours_wrap_past_midnight() {
        let hours = super::WorkingHours::parse("Asia/Tokyo 22-06").unwrap();
        // 14:00 UTC is 23:00 in Tokyo; 03:00 UTC is 12:00 there.
        assert_eq!(hours.check("2025-03-04T14:00:00Z".parse().unwrap()), (true, jiff::civil::time(23, 0, 0, 0)));
        assert_eq!(hours.check("2025-03-04T03:00:00Z".parse().unwrap()), (false, jiff::civil::time(12, 0, 0, 0)));
        let berlin = super::WorkingHours::parse("Europe/Berlin 09-17").unwrap();
        // Summer time: 07:30 UTC is 09:30 in Berlin in July.
        assert!(berlin.check("2025-07-01T07:30:00Z".parse().unwrap()).0);
        assert!(!berlin.check("2025-01-01T07:30:00Z".parse().unwrap()).0);
        assert!(super::WorkingHours::parse("Europe/Berlin 09-09").is_err());
    }
}
