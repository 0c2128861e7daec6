//! Whose turn it is on an open PR, now: the reviewers whose requests are unanswered (each with
//! when their wait began), the author, or nobody. It is read from the PR's review events as the
//! digest replays them (`latency::timeline`), so a review hands the turn to the author and a push
//! or a re-request hands it back, exactly as the figures count it. A snooze
//! (`/flowgate snooze 1d`) takes one reviewer out of the turn until it ends; their wait then
//! starts again from its end.

use jiff::Timestamp;
use serde::Serialize;

use crate::latency::event::Reviewer;
use crate::latency::timeline::{NowState, Turn};
use crate::model::Login;

/// A reviewer stepping out of one PR's turn until `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snooze {
    pub login: Login,
    pub until: Timestamp,
}

/// One request waiting for its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    /// A person or a team.
    pub reviewer: Reviewer,
    /// When the wait for this reviewer's answer began: the request, the PR's last move out of
    /// draft, or the end of the reviewer's snooze, whichever came last.
    pub since: Timestamp,
}

/// Who the PR waits on now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum WaitingOn {
    /// The reviewers asked and not answered yet (empty when nobody is asked: the PR waits for
    /// someone to be requested), and those who snoozed it.
    Reviewers { waiting: Vec<Waiting>, snoozed: Vec<Snooze> },
    /// A draft, changes requested and not answered, or every request answered.
    Author { since: Option<Timestamp> },
    /// Closed or merged.
    Nobody,
}

impl WaitingOn {
    /// The users (not teams) whose answer the PR waits for, with when each wait began.
    pub fn waiting_users(&self) -> Vec<(Login, Timestamp)> {
        match self {
            WaitingOn::Reviewers { waiting, .. } => waiting
                .iter()
                .filter_map(|w| match &w.reviewer {
                    Reviewer::User { login } => Some((Login::new(login.as_str()), w.since)),
                    Reviewer::Team { .. } => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A stable word for labels and JSON: `reviewers`, `author`, `nobody`.
    pub fn id(&self) -> &'static str {
        match self {
            WaitingOn::Reviewers { .. } => "reviewers",
            WaitingOn::Author { .. } => "author",
            WaitingOn::Nobody => "nobody",
        }
    }
}

/// Whose turn it is at `now`, from the PR's replayed state and the snoozes on it.
pub fn whose_turn(state: &NowState, snoozes: &[Snooze], now: Timestamp) -> WaitingOn {
    let since =
        |t: chrono::DateTime<chrono::Utc>| Timestamp::from_second(t.timestamp()).unwrap_or(Timestamp::UNIX_EPOCH);
    match state.turn {
        Turn::Nobody if !state.open => WaitingOn::Nobody,
        Turn::Author | Turn::Nobody => WaitingOn::Author { since: state.turn_since.map(since) },
        Turn::Reviewers => {
            let mut waiting = Vec::new();
            let mut snoozed = Vec::new();
            for (reviewer, began) in &state.pending_since {
                let snooze = match reviewer {
                    Reviewer::User { login } => {
                        snoozes.iter().filter(|s| s.login.as_str().eq_ignore_ascii_case(login)).map(|s| s.until).max()
                    }
                    Reviewer::Team { .. } => None,
                };
                match snooze {
                    Some(until) if until > now => {
                        snoozed.push(Snooze { login: Login::new(reviewer.name()), until });
                    }
                    ended => waiting.push(Waiting {
                        reviewer: reviewer.clone(),
                        since: ended.map_or(since(*began), |until| until.max(since(*began))),
                    }),
                }
            }
            WaitingOn::Reviewers { waiting, snoozed }
        }
    }
}
