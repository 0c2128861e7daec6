//! The ladder's plan for one PR at one moment: for each reviewer whose answer it waits for, the
//! working time they have had (in their own calendar), the step now due, the steps a late run
//! skips, and when to look again. Rules the plan keeps:
//! - each step is taken at most once per reviewer, PR and wait (a wait is keyed by when it began,
//!   so a re-request after a review starts a new one);
//! - a run that comes late takes only the highest step due and records the lower ones as
//!   overtaken, so a worker that was down all night does not send yesterday's reminders;
//! - a reminder is never sent outside the reviewer's working hours (it waits for them to start)
//!   nor to someone unavailable (it is skipped); the channel and reassignment act when due, since
//!   they ask someone else.

use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::rule::{SloRule, Step};
use crate::latency::BusinessCalendar;
use crate::model::Login;

/// A reviewer the PR waits for, with what the plan needs to know about them.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub login: Login,
    /// When this wait began (`Waiting::since`).
    pub since: Timestamp,
    /// Their working time: their own hours and zone, the team's work week and holidays.
    pub calendar: &'a BusinessCalendar,
    /// Away (`/flowgate unavailable`) or listed as unavailable in the policy.
    pub unavailable: bool,
    /// The pool they were requested from, whose channel the channel step writes to.
    pub pool: Option<String>,
}

/// A step already taken (or skipped) for a reviewer's wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub login: Login,
    pub step: Step,
    /// The wait it belongs to: its `since`.
    pub period: Timestamp,
}

/// A step due for one reviewer's wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub login: Login,
    pub step: Step,
    pub period: Timestamp,
    /// Working time the reviewer has had since the wait began.
    pub worked: Duration,
    pub pool: Option<String>,
}

/// Why a due step is not taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Held {
    /// Outside the reviewer's working hours: it is taken when they start, at `from`.
    OutsideHours { from: Option<Timestamp> },
    /// The reviewer is unavailable: the reminder is skipped (a later step may still act).
    Unavailable,
    /// A later step is due at the same time: this one is skipped.
    Overtaken { by: Step },
}

impl Held {
    /// Whether the step is settled (to be recorded, never planned again) rather than postponed.
    pub fn settles(self) -> bool {
        !matches!(self, Held::OutsideHours { .. })
    }
}

/// What to do now, what not and why, and when the PR's ladder next needs a look.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub act: Vec<Due>,
    pub held: Vec<(Due, Held)>,
    /// `None` when no step is left for anyone (or none within the calendars' reach).
    pub next_wake: Option<Timestamp>,
}

/// The plan at `now` for the reviewers a PR waits on, given what was already sent.
pub fn plan(rule: &SloRule, candidates: &[Candidate<'_>], sent: &[Sent], now: Timestamp) -> Plan {
    let mut out = Plan::default();
    for candidate in candidates {
        plan_one(rule, candidate, sent, now, &mut out);
    }
    out
}

fn plan_one(rule: &SloRule, c: &Candidate<'_>, sent: &[Sent], now: Timestamp, out: &mut Plan) {
    let calendar = c.calendar;
    let worked_secs = calendar.business_seconds(c.since.as_second(), now.as_second());
    let worked = Duration::from_secs(worked_secs.unsigned_abs());
    let taken = |step: Step| sent.iter().any(|s| s.login == c.login && s.step == step && s.period == c.since);
    // Only steps above the highest one taken are still ahead: a reminder never follows the
    // channel's message for the same wait.
    let highest_taken = Step::ALL.into_iter().filter(|s| taken(*s)).max();
    let ahead: Vec<(Step, Duration)> = rule.steps().filter(|(step, _)| Some(*step) > highest_taken).collect();
    let due: Vec<Step> = ahead.iter().filter(|(_, at)| *at <= worked).map(|(step, _)| *step).collect();
    let due_at = |step: Step| Due { login: c.login.clone(), step, period: c.since, worked, pool: c.pool.clone() };
    let wake_for_next = |after: Option<Step>| {
        ahead
            .iter()
            .find(|(step, _)| Some(*step) > after)
            .and_then(|(_, at)| calendar.after_working(c.since.as_second(), at.as_secs() as i64))
            .and_then(|t| Timestamp::from_second(t).ok())
    };
    let Some(&top) = due.last() else {
        wake(out, wake_for_next(highest_taken));
        return;
    };
    for &lower in &due[..due.len() - 1] {
        out.held.push((due_at(lower), Held::Overtaken { by: top }));
    }
    if top == Step::Remind && c.unavailable {
        out.held.push((due_at(top), Held::Unavailable));
        wake(out, wake_for_next(Some(top)));
    } else if top == Step::Remind && !calendar.is_working(now.as_second()) {
        let from = calendar.next_working(now.as_second()).and_then(|t| Timestamp::from_second(t).ok());
        out.held.push((due_at(top), Held::OutsideHours { from }));
        wake(out, from);
    } else {
        out.act.push(due_at(top));
        wake(out, wake_for_next(Some(top)));
    }
}

fn wake(out: &mut Plan, at: Option<Timestamp>) {
    if let Some(at) = at {
        out.next_wake = Some(out.next_wake.map_or(at, |w| w.min(at)));
    }
}
