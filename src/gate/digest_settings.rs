//! A digest's `LatencyConfig` from a policy's `latency:` and `teams:` sections, with the
//! command line's flags laid over them. Pure: the policy is already loaded and checked.

use std::collections::HashMap;
use std::time::Duration;

use crate::latency::calendar::{BusinessCalendar, CalendarError, Clock, ClockMode};
use crate::latency::config::LatencyConfig;
use crate::policy::{Policy, Tier};

/// What the command line says over the policy; empty means "as the policy says".
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// A time zone replaces the policy's whole calendar with office hours in that zone.
    pub timezone: Option<String>,
    /// Each replaces the policy's target for its tier.
    pub targets: Vec<(Tier, Duration)>,
    /// Targets to try (`--try-target`): each replaces the policy's preview target for its tier,
    /// and is counted week by week, never enforced.
    pub tried_targets: Vec<(Tier, Duration)>,
    /// When any is given, these replace the policy's list.
    pub ai_reviewers: Vec<String>,
}

/// The digest's settings: the policy's calendar (or office hours in UTC), targets and AI
/// reviewers, its teams turned round to each member's teams, then the overrides.
pub fn config(policy: &Policy, overrides: &Overrides, mode: ClockMode) -> Result<LatencyConfig, CalendarError> {
    let latency = &policy.latency;
    let calendar = match (&overrides.timezone, &latency.calendar) {
        (Some(zone), _) => BusinessCalendar::office_hours(zone)?,
        (None, Some(calendar)) => calendar.clone(),
        (None, None) => BusinessCalendar::office_hours("UTC")?,
    };
    let mut config = LatencyConfig::new(Clock { calendar, mode });
    config.first_review_targets = latency.targets.clone();
    for (tier, target) in &overrides.targets {
        config.first_review_targets.insert(*tier, *target);
    }
    config.tried_targets = latency.tried_targets.clone();
    for (tier, target) in &overrides.tried_targets {
        config.tried_targets.insert(*tier, *target);
    }
    config.exclude = latency.exclude.clone();
    config.ai_reviewers =
        if overrides.ai_reviewers.is_empty() { latency.ai_reviewers.clone() } else { overrides.ai_reviewers.clone() };
    let mut teams: HashMap<String, Vec<String>> = HashMap::new();
    for (team, members) in &policy.teams {
        for member in members {
            teams.entry(member.as_str().to_ascii_lowercase()).or_default().push(team.clone());
        }
    }
    config.teams = teams;
    let hygiene = &latency.hygiene;
    if let Some(after) = hygiene.approved_unmerged {
        config.hygiene.approved_unmerged = after;
    }
    if let Some(days) = hygiene.idle_days {
        config.hygiene.idle_days = days;
    }
    config.hygiene.capacity = capacities(policy);
    Ok(config)
}

/// Each pool member's capacity, by lower-case login: the least of their pools' (a team in
/// `members` counts for the members `teams:` lists for it).
fn capacities(policy: &Policy) -> HashMap<String, u32> {
    let mut out: HashMap<String, u32> = HashMap::new();
    let Some(reviewers) = &policy.reviewers else { return out };
    for pool in reviewers.pools.values() {
        for member in &pool.members {
            let logins: Vec<String> = match member.team() {
                Some(_) => policy
                    .teams
                    .iter()
                    .find(|(team, _)| team.eq_ignore_ascii_case(&member.0))
                    .map(|(_, logins)| logins.iter().map(|l| l.as_str().to_ascii_lowercase()).collect())
                    .unwrap_or_default(),
                None => vec![member.0.to_ascii_lowercase()],
            };
            for login in logins {
                let capacity = out.entry(login).or_insert(pool.capacity);
                *capacity = (*capacity).min(pool.capacity);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::load::load_text;
    use std::path::Path;

    fn policy(extra: &str) -> Policy {
        load_text(&format!("extends: default\n{extra}"), Path::new("flowgate.yml")).expect("a valid policy")
    }

    #[test]
    fn the_policy_sets_the_calendar_targets_ai_reviewers_and_teams() {
        let p = policy(
            "teams: { \"@acme/web\": [Ann, bob] }\nlatency: { targets: { red: 8h, green: 48h }, timezone: Europe/Berlin, work_week: [mon, tue], work_hours: \"10-16\", holidays: [2026-12-25], ai_reviewers: [coderabbitai] }\n",
        );
        let c = config(&p, &Overrides::default(), ClockMode::Business).unwrap();
        assert_eq!(c.clock.calendar.timezone(), "Europe/Berlin");
        assert_eq!(c.first_review_targets.get(&Tier::Red), Some(&Duration::from_secs(8 * 3600)));
        assert_eq!(c.first_review_targets.get(&Tier::Yellow), None);
        assert_eq!(c.ai_reviewers, vec!["coderabbitai".to_string()]);
        assert_eq!(c.teams.get("ann"), Some(&vec!["@acme/web".to_string()]));
        // Monday 2026-11-23 08:00 to 18:00 UTC is 09:00 to 19:00 in Berlin: 10-16 is 6 hours.
        let day = |h: u32| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, h, 0, 0).unwrap();
        assert_eq!(c.clock.duration_between(day(8), day(18)), Duration::from_secs(6 * 3600));
    }

    #[test]
    fn flags_replace_what_the_policy_says() {
        let p = policy("latency: { targets: { red: 8h, green: 48h }, ai_reviewers: [coderabbitai] }\n");
        let overrides = Overrides {
            timezone: Some("Asia/Tokyo".into()),
            targets: vec![(Tier::Red, Duration::from_secs(3600))],
            tried_targets: vec![(Tier::Yellow, Duration::from_secs(2 * 3600))],
            ai_reviewers: vec!["copilot".into()],
        };
        let c = config(&p, &overrides, ClockMode::Calendar).unwrap();
        assert_eq!(c.clock.calendar.timezone(), "Asia/Tokyo");
        assert_eq!(c.first_review_targets.get(&Tier::Red), Some(&Duration::from_secs(3600)));
        assert_eq!(c.first_review_targets.get(&Tier::Green), Some(&Duration::from_secs(48 * 3600)));
        assert_eq!(c.ai_reviewers, vec!["copilot".to_string()]);
        assert_eq!(c.tried_targets.get(&Tier::Yellow), Some(&Duration::from_secs(2 * 3600)));
        assert!(!c.first_review_targets.contains_key(&Tier::Yellow), "tried, not enforced");
        let bad = Overrides { timezone: Some("Mars/Olympus".into()), ..Overrides::default() };
        assert!(config(&p, &bad, ClockMode::Business).is_err());
    }

    #[test]
    fn a_preview_target_is_tried_and_the_plain_form_still_enforces() {
        let p = policy(
            "latency:\n  targets:\n    red: { target: 8h, mode: preview }\n    yellow: { target: 24h }\n    green: 48h\n  exclude: { authors: [\"renovate[bot]\"] }\n",
        );
        let c = config(&p, &Overrides::default(), ClockMode::Business).unwrap();
        let h = |n: u64| Duration::from_secs(n * 3600);
        assert_eq!(c.tried_targets.into_iter().collect::<Vec<_>>(), vec![(Tier::Red, h(8))]);
        assert_eq!(
            c.first_review_targets.into_iter().collect::<Vec<_>>(),
            vec![(Tier::Green, h(48)), (Tier::Yellow, h(24))]
        );
        assert_eq!(c.exclude.authors, vec!["renovate[bot]".to_string()]);
        for (text, named) in [
            ("{ target: 8h, mode: later }", "later"),
            ("{ target: 8 hours, mode: preview }", "not a review-time target"),
            ("{ mode: preview }", "target"),
            ("{ target: 8h, when: now }", "when"),
        ] {
            let e = load_text(
                &format!("extends: default\nlatency: {{ targets: {{ red: {text} }} }}\n"),
                Path::new("flowgate.yml"),
            )
            .unwrap_err()
            .to_string();
            assert!(e.contains(named), "{text}: {e}");
        }
    }

    #[test]
    fn bad_latency_settings_name_the_field() {
        for (text, named) in [
            ("latency: { targets: { red: 8 hours } }", "not a review-time target"),
            ("latency: { timezone: Mars/Olympus }", "unknown time zone"),
            ("latency: { work_week: [mon, funday] }", "not a day of the week"),
            ("latency: { work_hours: \"17-09\" }", "are not working hours"),
            ("latency: { holidays: [2026-13-01] }", "not a date"),
            ("latency: { targets: { purple: 8h } }", "purple"),
        ] {
            let e = load_text(&format!("extends: default\n{text}\n"), Path::new("flowgate.yml")).unwrap_err();
            let e = e.to_string();
            assert!(e.contains(named) && e.contains("latency"), "{text}: {e}");
        }
    }

    #[test]
    fn hygiene_thresholds_and_each_pool_members_least_capacity_come_from_the_policy() {
        let p = policy(
            "teams: { \"@acme/core\": [Kim, amy] }\nlatency: { hygiene: { approved_unmerged: 8h, idle_days: 3 } }\nreviewers: { pools: { seniors: { members: [kim, zed], capacity: 4 }, core: { members: [\"@acme/core\"], capacity: 2 } }, tiers: { red: { request: 1, from: [seniors] } } }\n",
        );
        let c = config(&p, &Overrides::default(), ClockMode::Business).expect("config");
        assert_eq!((c.hygiene.approved_unmerged, c.hygiene.idle_days), (Duration::from_secs(8 * 3600), 3));
        let mut capacity: Vec<(String, u32)> = c.hygiene.capacity.into_iter().collect();
        capacity.sort();
        assert_eq!(capacity, [("amy".to_string(), 2), ("kim".to_string(), 2), ("zed".to_string(), 4)]);
    }
}
