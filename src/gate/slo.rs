//! The review SLO ladder's candidates from a gated PR (pure): for each reviewer the PR waits on,
//! their working calendar (their own `reviewers.working_hours` on the team's work week and
//! holidays, else the team's calendar from `latency:`, else office hours in UTC), whether they are
//! unavailable (the policy's `reviewers.unavailable` or an away notice), and the pool they were
//! requested from, for the channel step.

use jiff::Timestamp;

use crate::assign::policy::{ReviewerPolicy, WorkingHours};
use crate::latency::BusinessCalendar;
use crate::model::Login;
use crate::policy::Policy;
use crate::slo::Candidate;

/// A reviewer the PR waits on, with what the ladder's plan needs; `candidate()` lends it out.
#[derive(Debug, Clone)]
pub struct Waiter {
    pub login: Login,
    pub since: Timestamp,
    pub calendar: BusinessCalendar,
    pub unavailable: bool,
    pub pool: Option<String>,
}

impl Waiter {
    pub fn candidate(&self) -> Candidate<'_> {
        Candidate {
            login: self.login.clone(),
            since: self.since,
            calendar: &self.calendar,
            unavailable: self.unavailable,
            pool: self.pool.clone(),
        }
    }
}

/// Office hours in UTC, for a policy that names no calendar.
fn office_hours() -> Option<BusinessCalendar> {
    BusinessCalendar::office_hours("UTC").ok()
}

/// A person's calendar: their own zone and hours on the team's work week and holidays, else the
/// team's calendar, else office hours in UTC. `None` only if none of these can be built.
pub fn calendar_of(
    login: &Login,
    reviewers: Option<&ReviewerPolicy>,
    team: Option<&BusinessCalendar>,
) -> Option<BusinessCalendar> {
    let base = match team {
        Some(team) => team.clone(),
        None => office_hours()?,
    };
    let own = reviewers.and_then(|r| r.hours_of(login)).and_then(|hours| person(&base, hours));
    Some(own.unwrap_or(base))
}

/// `Europe/Berlin 22-06` on `base`'s work week and holidays.
fn person(base: &BusinessCalendar, hours: &WorkingHours) -> Option<BusinessCalendar> {
    let zone = hours.text.split_whitespace().next()?;
    // Whole hours 00 to 24; a shift starting at 24 starts at midnight.
    let start = u32::from(hours.start % 24) * 60;
    let end = u32::from(hours.end) * 60;
    base.for_person(zone, (start, end)).ok()
}

/// The pool a reviewer was requested from: as the verdict's choice says when it requested them,
/// else the first of the policy's pools that lists them by login.
pub fn pool_of(
    login: &Login,
    reviewers: Option<&ReviewerPolicy>,
    assignment: Option<&crate::assign::Assignment>,
) -> Option<String> {
    let chosen = assignment.and_then(|a| a.requested.iter().find(|r| &r.login == login)).map(|r| r.pool.clone());
    chosen.or_else(|| {
        reviewers?
            .pools
            .values()
            .find(|pool| pool.members.iter().any(|m| m.team().is_none() && m.0.eq_ignore_ascii_case(login.as_str())))
            .map(|pool| pool.name.clone())
    })
}

/// The waiting reviewers as the ladder's candidates, under `policy` (the one the PR was gated
/// with); `away` holds the logins with an away notice now. A reviewer whose calendar cannot be
/// built is left out rather than measured on a wrong one.
pub fn waiters(
    waiting: &[(Login, Timestamp)],
    policy: &Policy,
    assignment: Option<&crate::assign::Assignment>,
    away: &[String],
) -> Vec<Waiter> {
    let reviewers = policy.reviewers.as_ref();
    let team = policy.latency.calendar.as_ref();
    waiting
        .iter()
        .filter_map(|(login, since)| {
            let calendar = calendar_of(login, reviewers, team)?;
            let listed = reviewers.is_some_and(|r| r.unavailable.contains(login));
            let noticed = away.iter().any(|a| a.eq_ignore_ascii_case(login.as_str()));
            Some(Waiter {
                login: login.clone(),
                since: *since,
                calendar,
                unavailable: listed || noticed,
                pool: pool_of(login, reviewers, assignment),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(extra: &str) -> Policy {
        let text = format!(
            "version: 1\nextends: default\nreviewers:\n  pools:\n    core: {{ members: [alice, bob, kenji], capacity: 3 }}\n  \
             tiers:\n    red: {{ request: 1, from: [core] }}\n  unavailable: [alice]\n  \
             working_hours: {{ kenji: \"Asia/Tokyo 22-06\" }}\n{extra}"
        );
        crate::policy::load::load_text(&text, std::path::Path::new("flowgate.yml")).expect("a policy")
    }

    fn at(text: &str) -> i64 {
        text.parse::<Timestamp>().expect("a time").as_second()
    }

    #[test]
    fn a_persons_hours_keep_the_teams_week_and_holidays_and_others_use_the_team_calendar() {
        let policy = policy(
            "latency:\n  timezone: Europe/Berlin\n  work_week: [mon, tue, wed, thu]\n  work_hours: \"09:00-17:00\"\n  holidays: [\"2026-12-24\"]\n",
        );
        let since = Timestamp::UNIX_EPOCH;
        let waiting = [(Login::new("Kenji"), since), (Login::new("bob"), since), (Login::new("alice"), since)];
        let found = waiters(&waiting, &policy, None, &["BOB".to_string()]);
        let [kenji, bob, alice] = &found[..] else { panic!("three candidates: {found:?}") };
        // Kenji works 22:00 to 06:00 in Tokyo on the team's days: Thursday 23:00 there is work,
        // Friday 23:00 is not (the team's week ends on Thursday), nor the team's holiday.
        assert!(kenji.calendar.is_working(at("2026-12-03T14:00:00Z")), "Thu 23:00 in Tokyo");
        assert!(!kenji.calendar.is_working(at("2026-12-04T14:00:00Z")), "Fri 23:00 in Tokyo");
        assert!(!kenji.calendar.is_working(at("2026-12-24T00:00:00Z")), "the holiday, 09:00 in Tokyo");
        // Bob has no hours of his own: the team's, in Berlin.
        assert!(
            bob.calendar.is_working(at("2026-12-03T09:00:00Z")) && !bob.calendar.is_working(at("2026-12-03T17:00:00Z"))
        );
        assert_eq!(
            (kenji.unavailable, bob.unavailable, alice.unavailable),
            (false, true, true),
            "bob has an away notice, alice is listed in the policy"
        );
        assert_eq!(bob.pool.as_deref(), Some("core"), "the pool that lists him");
    }

    #[test]
    fn without_a_team_calendar_people_work_office_hours_in_utc() {
        let policy = policy("");
        let found = waiters(&[(Login::new("bob"), Timestamp::UNIX_EPOCH)], &policy, None, &[]);
        assert!(found[0].calendar.is_working(at("2026-12-03T10:00:00Z")), "a Thursday at 10:00 UTC");
        assert!(!found[0].calendar.is_working(at("2026-12-05T10:00:00Z")), "a Saturday");
        assert_eq!(found[0].candidate().login, Login::new("bob"));
    }
}
