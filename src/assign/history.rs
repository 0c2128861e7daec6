//! What the review event log says about people, for the score: reviews each person gave over the
//! fairness window, when each was last requested, and their recent work on the paths a PR
//! changes. Pure: the events, the PRs that touched those paths and `now` come in as arguments.

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use super::input::PeopleFacts;
use crate::latency::{Event, EventKind, Reviewer};
use crate::model::Login;

/// The fairness window's length in days for `weeks` weeks.
fn window(weeks: u32) -> SignedDuration {
    SignedDuration::from_hours(i64::from(weeks) * 7 * 24)
}

/// Where the window of `weeks` weeks ending at `now` starts (inclusive).
pub fn window_start(now: Timestamp, weeks: u32) -> Timestamp {
    now.checked_sub(window(weeks)).unwrap_or(Timestamp::MIN)
}

/// The people facts read from one repository's review history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewHistory {
    /// PRs each person reviewed in the window (a PR reviewed several times counts once).
    pub reviews_given: HashMap<Login, u32>,
    /// The latest review request to each person in the window.
    pub last_requested: HashMap<Login, Timestamp>,
    /// PRs touching the changed paths that each person authored or reviewed in the window.
    pub expertise: HashMap<Login, u32>,
    pub weeks: u32,
}

impl ReviewHistory {
    /// Reads `events` (any order; events outside the window of `weeks` weeks up to `now` are
    /// ignored). `touching` are the PRs known to have changed any of this PR's paths; `this_pr`,
    /// the PR being assigned, never counts as its own expertise. Bots never count: neither their
    /// reviews nor requests to them. A PR's author replying in its review threads is not a review.
    pub fn read(events: &[Event], now: Timestamp, weeks: u32, touching: &BTreeSet<u64>, this_pr: u64) -> Self {
        let start = window_start(now, weeks);
        let in_window = |e: &&Event| {
            let at = Timestamp::from_millisecond(e.at.timestamp_millis()).unwrap_or(Timestamp::MIN);
            at >= start && at <= now
        };
        let mut reviewed: HashSet<(String, u64, Login)> = HashSet::new();
        let mut touched: HashSet<(String, u64, Login)> = HashSet::new();
        let mut history = ReviewHistory { weeks, ..ReviewHistory::default() };
        for e in events.iter().filter(in_window) {
            let at = Timestamp::from_millisecond(e.at.timestamp_millis()).unwrap_or(Timestamp::MIN);
            let key = |login: &Login| (e.repo.to_ascii_lowercase(), e.pr, login.clone());
            let counts_for_paths = e.pr != this_pr && touching.contains(&e.pr);
            if counts_for_paths && !e.context.author.is_bot() && !e.context.author.as_str().is_empty() {
                touched.insert(key(&e.context.author));
            }
            match &e.kind {
                EventKind::ReviewSubmitted { .. } if !e.actor.bot && e.actor.login != e.context.author => {
                    reviewed.insert(key(&e.actor.login));
                    if counts_for_paths {
                        touched.insert(key(&e.actor.login));
                    }
                }
                EventKind::ReviewRequested { reviewer: Reviewer::User { login } } => {
                    let login = Login::new(login.as_str());
                    if login.is_bot() {
                        continue;
                    }
                    let last = history.last_requested.entry(login).or_insert(at);
                    *last = (*last).max(at);
                }
                _ => {}
            }
        }
        for (_, _, login) in reviewed {
            *history.reviews_given.entry(login).or_default() += 1;
        }
        for (_, _, login) in touched {
            *history.expertise.entry(login).or_default() += 1;
        }
        history
    }

    /// Puts the history into the facts the chooser reads.
    pub fn apply(self, people: &mut PeopleFacts) {
        people.reviews_given = self.reviews_given;
        people.last_requested = self.last_requested;
        people.expertise = self.expertise;
        people.review_window_weeks = Some(self.weeks);
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::latency::{Actor, PrContext, ReviewOutcome};

    const NOW: &str = "2026-11-21T12:00:00Z";

    fn now() -> Timestamp {
        NOW.parse().unwrap()
    }

    fn at(days_ago: i64, hours_ago: i64) -> DateTime<Utc> {
        let now: DateTime<Utc> = NOW.parse().unwrap();
        now - chrono::Duration::days(days_ago) - chrono::Duration::hours(hours_ago)
    }

    fn event(id: &str, pr: u64, when: DateTime<Utc>, actor: Actor, author: &str, kind: EventKind) -> Event {
        Event {
            id: id.into(),
            repo: "acme/shop".into(),
            pr,
            at: when,
            actor,
            context: PrContext { author: Login::new(author), ..PrContext::default() },
            kind,
        }
    }

    fn review(id: &str, pr: u64, days_ago: i64, reviewer: &str, author: &str) -> Event {
        let kind = EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved };
        event(id, pr, at(days_ago, 0), Actor::new(reviewer, "User"), author, kind)
    }

    fn request(id: &str, pr: u64, when: DateTime<Utc>, reviewer: &str) -> Event {
        let kind = EventKind::ReviewRequested { reviewer: Reviewer::user(reviewer) };
        event(id, pr, when, Actor::login("bob"), "bob", kind)
    }

    fn given(h: &ReviewHistory, login: &str) -> u32 {
        h.reviews_given.get(&Login::new(login)).copied().unwrap_or(0)
    }

    #[test]
    fn counts_human_reviews_once_per_pr_and_never_bots_or_the_author() {
        let events = vec![
            review("1", 10, 1, "alice", "bob"),
            review("2", 10, 1, "alice", "bob"),
            review("3", 11, 2, "alice", "bob"),
            review("4", 12, 2, "carol", "bob"),
            event(
                "5",
                12,
                at(2, 0),
                Actor::new("copilot", "Bot"),
                "bob",
                EventKind::ReviewSubmitted { outcome: ReviewOutcome::Commented },
            ),
            review("6", 13, 1, "renovate[bot]", "bob"),
            review("7", 12, 1, "bob", "bob"),
        ];
        let h = ReviewHistory::read(&events, now(), 4, &BTreeSet::new(), 99);
        assert_eq!(given(&h, "alice"), 2, "PR 10 twice and PR 11: two PRs reviewed");
        assert_eq!(given(&h, "carol"), 1);
        assert_eq!(given(&h, "copilot"), 0, "a bot account");
        assert_eq!(given(&h, "renovate[bot]"), 0, "a [bot] login");
        assert_eq!(given(&h, "bob"), 0, "the author replying in review threads is not a review");
    }

    #[test]
    fn the_window_includes_its_start_and_now_and_nothing_outside() {
        let start: DateTime<Utc> = at(28, 0);
        let events = vec![
            event(
                "a",
                1,
                start,
                Actor::login("alice"),
                "bob",
                EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved },
            ),
            event("b", 2, start - chrono::Duration::milliseconds(1), Actor::login("carol"), "bob", {
                EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved }
            }),
            event(
                "c",
                3,
                at(0, 0),
                Actor::login("dave"),
                "bob",
                EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved },
            ),
            event("d", 4, at(0, 0) + chrono::Duration::seconds(1), Actor::login("erin"), "bob", {
                EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved }
            }),
        ];
        let h = ReviewHistory::read(&events, now(), 4, &BTreeSet::new(), 99);
        assert_eq!(given(&h, "alice"), 1, "exactly four weeks ago is inside");
        assert_eq!(given(&h, "carol"), 0, "a millisecond before the window");
        assert_eq!(given(&h, "dave"), 1, "now is inside");
        assert_eq!(given(&h, "erin"), 0, "after now (a clock ahead) is not counted");
        let h = ReviewHistory::read(&events, now(), 1, &BTreeSet::new(), 99);
        assert_eq!(given(&h, "alice"), 0, "a one-week window");
    }

    #[test]
    fn a_re_request_moves_last_requested_and_is_not_a_review() {
        let events = vec![
            request("r2", 5, at(1, 0), "Alice"),
            request("r1", 5, at(6, 0), "alice"),
            request("r3", 6, at(3, 0), "carol"),
            request("r4", 6, at(1, 0), "dependabot[bot]"),
            request("old", 7, at(40, 0), "dave"),
        ];
        let h = ReviewHistory::read(&events, now(), 4, &BTreeSet::new(), 99);
        let expected: Timestamp = "2026-11-20T12:00:00Z".parse().unwrap();
        assert_eq!(h.last_requested[&Login::new("ALICE")], expected, "the latest of both requests, any case");
        assert_eq!(given(&h, "alice"), 0);
        assert!(h.last_requested.contains_key(&Login::new("carol")));
        assert!(!h.last_requested.contains_key(&Login::new("dependabot[bot]")));
        assert!(!h.last_requested.contains_key(&Login::new("dave")), "requested before the window");
    }

    #[test]
    fn logins_compare_without_case() {
        let events = vec![review("1", 10, 1, "Alice", "bob"), review("2", 11, 1, "alice", "bob")];
        let h = ReviewHistory::read(&events, now(), 4, &BTreeSet::new(), 99);
        assert_eq!(given(&h, "ALICE"), 2);
        assert_eq!(h.reviews_given.len(), 1, "one person, whatever the case");
    }

    #[test]
    fn expertise_is_recent_prs_on_the_same_paths_authored_or_reviewed() {
        let touching: BTreeSet<u64> = [20, 21, 99].into_iter().collect();
        let events = vec![
            event("o", 20, at(3, 0), Actor::login("carol"), "carol", EventKind::Opened { draft: false }),
            review("r1", 20, 2, "alice", "carol"),
            review("r2", 20, 2, "alice", "carol"),
            review("r3", 21, 2, "Alice", "dave"),
            review("r4", 22, 2, "erin", "dave"),
            review("r5", 99, 1, "frank", "zoe"),
            review("r6", 21, 40, "gina", "dave"),
        ];
        let h = ReviewHistory::read(&events, now(), 4, &touching, 99);
        let touches = |l: &str| h.expertise.get(&Login::new(l)).copied().unwrap_or(0);
        assert_eq!(touches("alice"), 2, "reviewed PRs 20 and 21");
        assert_eq!(touches("carol"), 1, "authored PR 20");
        assert_eq!(touches("dave"), 1, "authored PR 21; PR 22 touches other paths");
        assert_eq!(touches("erin"), 0, "PR 22 touches other paths");
        assert_eq!(touches("frank"), 0, "PR 99 is the PR being assigned");
        assert_eq!(touches("zoe"), 0, "PR 99 is the PR being assigned");
        assert_eq!(touches("gina"), 0, "reviewed before the window");
        let mut people = PeopleFacts::default();
        h.apply(&mut people);
        assert_eq!(people.review_window_weeks, Some(4));
        assert_eq!(people.expertise[&Login::new("alice")], 2);
    }
}
