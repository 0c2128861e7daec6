//! Whose turn an open PR is now, from its recorded review events and the snoozes on it (pure):
//! what the check run's "Waiting on" line and the waiting label show, and who may snooze it (the
//! people whose review is requested and unanswered). The App reads the events and the snoozes
//! from its store and passes the clock in.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use jiff::Timestamp;

use crate::latency::event::Reviewer;
use crate::latency::timeline::summarize_pr;
use crate::latency::{BusinessCalendar, Clock, ClockMode, Event, LatencyConfig, ReviewOutcome, Window};
use crate::model::Login;
use crate::slo::{Snooze, WaitingOn, whose_turn};
use crate::wording::slo as words;

/// Whose turn it is, and why when it is the author's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub on: WaitingOn,
    /// The author has the turn because a reviewer's latest review requests changes.
    pub changes_requested: bool,
    /// The people whose review is requested and not answered, snoozed or not: who may snooze.
    pub requested: Vec<Login>,
}

impl Turn {
    /// Whether `login` is asked to review and has not answered (any case).
    pub fn is_requested(&self, login: &str) -> bool {
        self.requested.iter().any(|l| l.as_str().eq_ignore_ascii_case(login))
    }

    /// The waiting label the PR should carry now: `None` for a closed PR.
    pub fn label(&self) -> Option<&'static str> {
        match self.on {
            WaitingOn::Reviewers { .. } => Some(words::LABEL_WAITING_ON_REVIEWERS),
            WaitingOn::Author { .. } => Some(words::LABEL_WAITING_ON_AUTHOR),
            WaitingOn::Nobody => None,
        }
    }

    /// The check run's line; `None` for a closed PR.
    pub fn line(&self) -> Option<String> {
        words::waiting_line(&self.on, self.changes_requested)
    }
}

/// Both waiting labels: the one not wanted is taken off.
pub const LABELS: [&str; 2] = [words::LABEL_WAITING_ON_REVIEWERS, words::LABEL_WAITING_ON_AUTHOR];

/// Whose turn it is at `now`, from the PR's events (any order) and its snoozes (ended ones
/// restart a wait from their end); `None` when no event is recorded for it yet. Requests of the
/// AI review tools in `ai_reviewers` wait on nobody.
pub fn turn(events: &[Event], snoozes: &[Snooze], now: Timestamp, ai_reviewers: &[String]) -> Option<Turn> {
    let calendar = BusinessCalendar::office_hours("UTC").ok()?;
    // Wall-clock time: only when each wait began matters here, not how long it was.
    let mut config = LatencyConfig::new(Clock { calendar, mode: ClockMode::Calendar });
    config.ai_reviewers = ai_reviewers.to_vec();
    // One second past `now`: an event of this very second (the review just recorded) counts.
    let now = DateTime::<Utc>::from_timestamp(now.as_second().saturating_add(1), 0)?;
    let window = Window::new(DateTime::<Utc>::UNIX_EPOCH, now);
    let summary = summarize_pr(&config, &window, now, events)?;
    let on = whose_turn(&summary.now, snoozes, Timestamp::from_second(now.timestamp() - 1).ok()?);
    let mut latest: BTreeMap<String, (DateTime<Utc>, ReviewOutcome)> = BTreeMap::new();
    for review in &summary.reviews {
        let key = review.reviewer.as_str().to_ascii_lowercase();
        if latest.get(&key).is_none_or(|(at, _)| *at <= review.at) {
            latest.insert(key, (review.at, review.outcome));
        }
    }
    let changes_requested = matches!(on, WaitingOn::Author { .. })
        && !summary.now.draft
        && latest.values().any(|(_, outcome)| *outcome == ReviewOutcome::ChangesRequested);
    let requested = summary
        .now
        .pending
        .iter()
        .filter_map(|r| match r {
            Reviewer::User { login } => Some(Login::new(login.as_str())),
            Reviewer::Team { .. } => None,
        })
        .collect();
    Some(Turn { on, changes_requested, requested })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::latency::tests::support::{Pr, t};

    fn at(text: &str) -> Timestamp {
        Timestamp::from_second(t(text).timestamp()).expect("a time")
    }

    #[test]
    fn a_review_hands_the_turn_to_the_author_and_a_push_hands_it_back() {
        let asked = Pr::new(12, "dana")
            .repo("acme/web")
            .opened("2026-12-07 09:00")
            .request("2026-12-07 09:05", "alice")
            .request("2026-12-07 09:05", "bob")
            .request("2026-12-07 09:05", "carol");
        let snoozes = [Snooze { login: Login::new("Carol"), until: at("2026-12-08 10:00") }];
        let waiting = turn(&asked.events, &snoozes, at("2026-12-07 11:00"), &[]).expect("a turn");
        assert_eq!(waiting.line().unwrap(), "Waiting on: reviewers (alice, bob) — carol snoozed until Tue 10:00 UTC");
        assert_eq!(waiting.label(), Some(words::LABEL_WAITING_ON_REVIEWERS));
        assert!(waiting.is_requested("CAROL") && !waiting.is_requested("dana"), "snoozed or not, asked");

        let reviewed = asked.changes("2026-12-07 12:00", "alice");
        let after_review = turn(&reviewed.events, &snoozes, at("2026-12-07 12:00"), &[]).expect("a turn");
        assert_eq!(after_review.line().unwrap(), "Waiting on: the author (changes requested)");
        assert_eq!(after_review.label(), Some(words::LABEL_WAITING_ON_AUTHOR));

        let pushed = reviewed.commits("2026-12-07 13:00");
        let after_push = turn(&pushed.events, &snoozes, at("2026-12-07 13:30"), &[]).expect("a turn");
        assert_eq!(after_push.label(), Some(words::LABEL_WAITING_ON_REVIEWERS), "{:?}", after_push.line());

        let closed = pushed.closed("2026-12-07 14:00");
        let after_close = turn(&closed.events, &[], at("2026-12-07 15:00"), &[]).expect("a turn");
        assert_eq!((after_close.line(), after_close.label()), (None, None), "nothing for a closed PR");
        assert_eq!(turn(&[], &[], at("2026-12-07 15:00"), &[]), None, "no events, no turn");
    }
}
