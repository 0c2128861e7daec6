//! One PR's events replayed in order into its review figures: time to first review, each request's
//! response, review rounds, whose turn it was and for how long, approval and merge times.
//!
//! The state machine is documented in docs/metrics.md; this file is its only implementation.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::config::{LatencyConfig, Window};
use super::event::{Actor, Event, EventKind, PrContext, ReviewOutcome, Reviewer};
use crate::model::Login;

/// Who must act for the PR to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Turn {
    Author,
    Reviewers,
    /// Closed or merged (or not opened yet): nobody is waiting.
    Nobody,
}

/// A PR's review figures. Durations are seconds on the configured clock, counting only time the PR
/// was open and ready for review unless a field says otherwise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrSummary {
    pub repo: String,
    pub pr: u64,
    /// The context of the PR's latest event.
    pub context: PrContext,
    /// `None` when the history starts after the PR was opened.
    pub opened_at: Option<DateTime<Utc>>,
    pub first_ready_at: Option<DateTime<Utc>>,
    pub first_review: Option<FirstReview>,
    /// Every review requested from a person or team (bots and AI reviewers left out).
    pub requests: Vec<RequestRecord>,
    /// Every review that counts: not by the author, a bot or an AI reviewer.
    pub reviews: Vec<ReviewRecord>,
    /// Changes-requested reviews the author answered with new commits or a re-request.
    pub review_rounds: u32,
    pub merged_at: Option<DateTime<Utc>>,
    /// Closed without merging, and not reopened since.
    pub closed_at: Option<DateTime<Utc>>,
    /// From the moment the PR became approved (and stayed so) to its merge; wall time in the clock.
    pub approval_to_merge_secs: Option<i64>,
    /// From opening to merge, draft time included.
    pub open_to_merge_secs: Option<i64>,
    /// Time inside the window, up to `now`, that it was the author's turn (drafts included).
    pub waiting_on_author_secs: i64,
    /// Time inside the window, up to `now`, that it was the reviewers' turn.
    pub waiting_on_reviewers_secs: i64,
    /// It had an event in the window or was open during some of it.
    pub active_in_window: bool,
    pub open_at_window_end: bool,
    pub now: NowState,
    /// The spans (Unix seconds) the PR was open before its first review, up to `now`: what its
    /// wait was at any moment, for targets tried week by week.
    #[serde(skip)]
    pub unreviewed: Vec<OpenSpan>,
}

/// A span the PR was open and unreviewed, `(from, to]`, ready for review or a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenSpan {
    pub from: i64,
    pub to: i64,
    pub ready: bool,
}

impl PrSummary {
    /// The wait for a first review at `at` (Unix seconds): ready time since the PR was opened, on
    /// `clock`; `None` unless it was open and not reviewed yet just before `at`.
    pub(crate) fn waiting_at(&self, clock: &super::calendar::Clock, at: i64) -> Option<i64> {
        if !self.unreviewed.iter().any(|s| s.from < at && at <= s.to) {
            return None;
        }
        let ready = self.unreviewed.iter().filter(|s| s.ready && s.from < at);
        Some(ready.map(|s| clock.seconds(s.from, s.to.min(at))).sum())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirstReview {
    pub at: DateTime<Utc>,
    pub reviewer: Login,
    /// Ready-for-review time from the first moment the PR was ready to this review.
    pub wait_secs: i64,
    /// A review had been requested from someone before it.
    pub requested_before: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    pub reviewer: Reviewer,
    pub requested_at: DateTime<Utc>,
    pub answer: Option<Answer>,
    /// Withdrawn before an answer.
    pub removed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub at: DateTime<Utc>,
    pub by: Login,
    pub wait_secs: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewRecord {
    pub reviewer: Login,
    pub at: DateTime<Utc>,
    pub outcome: ReviewOutcome,
}

/// The PR at `now`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NowState {
    pub open: bool,
    pub draft: bool,
    pub turn: Turn,
    pub turn_since: Option<DateTime<Utc>>,
    /// Ready time since the turn last changed hands.
    pub turn_wait_secs: i64,
    /// Requests not answered yet.
    pub pending: Vec<Reviewer>,
    /// The same requests, each with when the wait for its answer began: the request, or the
    /// PR's last move out of draft when that came later. Review SLOs are counted from here.
    pub pending_since: Vec<(Reviewer, DateTime<Utc>)>,
    /// Open, ready at some point, not reviewed yet: the ready time so far.
    pub awaiting_first_review_secs: Option<i64>,
}

struct Pending {
    reviewer: Reviewer,
    clock_at: i64,
    record: usize,
}

/// Replays one PR's events (any order; repeated ids count once; events at or after `now` are
/// ignored). `None` when nothing is left to replay.
pub fn summarize_pr(
    config: &LatencyConfig,
    window: &Window,
    now: DateTime<Utc>,
    events: &[Event],
) -> Option<PrSummary> {
    let mut seen = HashSet::with_capacity(events.len());
    // Notes (an override accepted, an exemption) are about the gate, not the review flow.
    let mut ordered: Vec<&Event> =
        events.iter().filter(|e| e.at < now && !e.kind.is_note() && seen.insert(e.id.as_str())).collect();
    // Stable: events of the same second keep the caller's order, except that opening comes first
    // and merging or closing last, as lists merged from different API calls may tie.
    ordered.sort_by_key(|e| (e.at, lifecycle_rank(&e.kind)));
    let first = *ordered.first()?;
    let last = *ordered.last()?;
    let author = if last.context.author.as_str().is_empty() {
        ordered
            .iter()
            .find(|e| matches!(e.kind, EventKind::Opened { .. }))
            .map(|e| e.actor.login.clone())
            .unwrap_or_default()
    } else {
        last.context.author.clone()
    };
    let mut replay = Replay::new(config, window, now, author, first, last);
    for event in ordered {
        replay.apply(event);
    }
    Some(replay.finish())
}

fn lifecycle_rank(kind: &EventKind) -> u8 {
    match kind {
        EventKind::Opened { .. } => 0,
        EventKind::Merged | EventKind::Closed => 2,
        _ => 1,
    }
}

struct Replay<'a> {
    config: &'a LatencyConfig,
    window_start: i64,
    /// The window's end, or `now` if that comes first: nothing after `now` is known.
    window_end: i64,
    now: i64,
    author: Login,
    last: Option<i64>,
    open: bool,
    draft: bool,
    ball: Turn,
    changes_requested_by: Vec<Login>,
    /// Each reviewer's latest approval or change request, as GitHub's review decision reads them.
    decisive: Vec<(Login, ReviewOutcome)>,
    approved_since: Option<DateTime<Utc>>,
    pending: Vec<Pending>,
    /// Ready-for-review seconds since the start of the history: every ready-time wait is a difference of two readings.
    ready_clock: i64,
    turn: Turn,
    turn_since_clock: i64,
    turn_since: Option<DateTime<Utc>>,
    /// When the PR last became ready for review (opened ready, left draft, reopened).
    ready_at: Option<DateTime<Utc>>,
    end_seen: bool,
    out: PrSummary,
}

impl<'a> Replay<'a> {
    fn new(
        config: &'a LatencyConfig,
        window: &Window,
        now: DateTime<Utc>,
        author: Login,
        first: &Event,
        last: &Event,
    ) -> Self {
        let mut replay = Replay {
            config,
            window_start: window.start.timestamp(),
            window_end: window.end.min(now).timestamp(),
            now: now.timestamp(),
            author,
            last: None,
            open: false,
            draft: false,
            ball: Turn::Reviewers,
            changes_requested_by: Vec::new(),
            decisive: Vec::new(),
            approved_since: None,
            pending: Vec::new(),
            ready_clock: 0,
            turn: Turn::Nobody,
            turn_since_clock: 0,
            turn_since: None,
            ready_at: None,
            end_seen: false,
            out: PrSummary {
                repo: last.repo.clone(),
                pr: last.pr,
                context: last.context.clone(),
                opened_at: None,
                first_ready_at: None,
                first_review: None,
                requests: Vec::new(),
                reviews: Vec::new(),
                review_rounds: 0,
                merged_at: None,
                closed_at: None,
                approval_to_merge_secs: None,
                open_to_merge_secs: None,
                waiting_on_author_secs: 0,
                waiting_on_reviewers_secs: 0,
                active_in_window: false,
                open_at_window_end: false,
                now: NowState {
                    open: false,
                    draft: false,
                    turn: Turn::Nobody,
                    turn_since: None,
                    turn_wait_secs: 0,
                    pending: Vec::new(),
                    pending_since: Vec::new(),
                    awaiting_first_review_secs: None,
                },
                unreviewed: Vec::new(),
            },
        };
        // A history recorded after the PR was opened: take it as open from its first event, a
        // draft only if that event is the one that ends a draft.
        if !matches!(first.kind, EventKind::Opened { .. }) {
            replay.open = true;
            replay.draft = matches!(first.kind, EventKind::ReadyForReview);
            if !replay.draft {
                replay.out.first_ready_at = Some(first.at);
                replay.ready_at = Some(first.at);
            }
        }
        replay
    }

    fn apply(&mut self, event: &Event) {
        let at = event.at;
        self.advance(at.timestamp());
        if self.in_window(at.timestamp()) {
            self.out.active_in_window = true;
        }
        match &event.kind {
            EventKind::Opened { draft } => {
                self.open = true;
                self.draft = *draft;
                self.out.opened_at.get_or_insert(at);
                if !draft {
                    self.became_ready(at);
                }
            }
            EventKind::ReadyForReview => {
                if self.draft {
                    self.draft = false;
                    self.became_ready(at);
                }
            }
            EventKind::ConvertedToDraft => self.draft = true,
            EventKind::ReviewRequested { reviewer } => self.requested(reviewer, at),
            EventKind::ReviewRequestRemoved { reviewer } => {
                if let Some(i) = self.pending.iter().position(|p| p.reviewer.same(reviewer)) {
                    let pending = self.pending.remove(i);
                    if let Some(record) = self.out.requests.get_mut(pending.record) {
                        record.removed = true;
                    }
                }
            }
            EventKind::ReviewSubmitted { outcome } => self.reviewed(&event.actor, *outcome, at),
            EventKind::ReviewDismissed { reviewer } => {
                self.decisive.retain(|(login, _)| login != reviewer);
                self.changes_requested_by.retain(|login| login != reviewer);
                if self.changes_requested_by.is_empty() {
                    self.ball = Turn::Reviewers;
                }
                self.update_approval(at);
            }
            EventKind::Synchronize => {
                self.answer_changes_requested();
                self.ball = Turn::Reviewers;
            }
            EventKind::Merged => {
                self.open = false;
                self.out.closed_at = None;
                self.out.merged_at = Some(at);
                self.pending.clear();
                let merged = at.timestamp();
                let clock = &self.config.clock;
                self.out.approval_to_merge_secs = self.approved_since.map(|a| clock.seconds(a.timestamp(), merged));
                self.out.open_to_merge_secs = self.out.opened_at.map(|o| clock.seconds(o.timestamp(), merged));
            }
            EventKind::Closed => {
                if self.open && self.out.merged_at.is_none() {
                    self.open = false;
                    self.out.closed_at = Some(at);
                }
            }
            EventKind::Reopened => {
                if !self.open && self.out.merged_at.is_none() {
                    self.open = true;
                    self.out.closed_at = None;
                    self.ball = Turn::Reviewers;
                    self.ready_at = Some(at);
                }
            }
            // Left out before the replay (`summarize_pr`): no wait starts or ends with a note.
            EventKind::OverrideAccepted { .. } | EventKind::LinkageExempt { .. } => {}
        }
        self.track_turn(at);
    }

    fn became_ready(&mut self, at: DateTime<Utc>) {
        self.out.first_ready_at.get_or_insert(at);
        self.ready_at = Some(at);
        self.ball = Turn::Reviewers;
    }

    fn requested(&mut self, reviewer: &Reviewer, at: DateTime<Utc>) {
        if let Reviewer::User { login } = reviewer
            && (Login::new(login.as_str()).is_bot() || self.config.is_ai_reviewer(login))
        {
            return;
        }
        // A re-request is the author's answer to a change request, like a push.
        self.answer_changes_requested();
        self.ball = Turn::Reviewers;
        if self.pending.iter().any(|p| p.reviewer.same(reviewer)) {
            // Asked again before answering: the wait still started with the first request.
            return;
        }
        self.out.requests.push(RequestRecord {
            reviewer: reviewer.clone(),
            requested_at: at,
            answer: None,
            removed: false,
        });
        self.pending.push(Pending {
            reviewer: reviewer.clone(),
            clock_at: self.ready_clock,
            record: self.out.requests.len() - 1,
        });
    }

    fn reviewed(&mut self, actor: &Actor, outcome: ReviewOutcome, at: DateTime<Utc>) {
        let counts = !actor.bot && !self.config.is_ai_reviewer(actor.login.as_str()) && actor.login != self.author;
        if !counts {
            // Author replies, bot and AI reviews move nothing: only a person's review answers.
            return;
        }
        let login = &actor.login;
        self.out.reviews.push(ReviewRecord { reviewer: login.clone(), at, outcome });
        if self.out.first_review.is_none() {
            self.out.first_review = Some(FirstReview {
                at,
                reviewer: login.clone(),
                wait_secs: self.ready_clock,
                requested_before: !self.out.requests.is_empty(),
            });
        }
        let ready_clock = self.ready_clock;
        let requests = &mut self.out.requests;
        self.pending.retain(|p| {
            let answers = match &p.reviewer {
                Reviewer::User { login: requested } => requested.eq_ignore_ascii_case(login.as_str()),
                Reviewer::Team { .. } => true,
            };
            if answers && let Some(record) = requests.get_mut(p.record) {
                record.answer = Some(Answer { at, by: login.clone(), wait_secs: ready_clock - p.clock_at });
            }
            !answers
        });
        let next_if_answered = if self.pending.is_empty() { Turn::Author } else { Turn::Reviewers };
        match outcome {
            ReviewOutcome::ChangesRequested => {
                if !self.changes_requested_by.contains(login) {
                    self.changes_requested_by.push(login.clone());
                }
                self.set_decisive(login, outcome);
                self.ball = Turn::Author;
            }
            ReviewOutcome::Approved => {
                self.changes_requested_by.retain(|l| l != login);
                self.set_decisive(login, outcome);
                self.ball = next_if_answered;
            }
            ReviewOutcome::Commented => self.ball = next_if_answered,
        }
        self.update_approval(at);
    }

    fn set_decisive(&mut self, login: &Login, outcome: ReviewOutcome) {
        match self.decisive.iter_mut().find(|(l, _)| l == login) {
            Some(entry) => entry.1 = outcome,
            None => self.decisive.push((login.clone(), outcome)),
        }
    }

    /// Approved means at least one standing approval and no standing change request.
    fn update_approval(&mut self, at: DateTime<Utc>) {
        let approved = self.decisive.iter().any(|(_, o)| *o == ReviewOutcome::Approved)
            && !self.decisive.iter().any(|(_, o)| *o == ReviewOutcome::ChangesRequested);
        match (approved, self.approved_since) {
            (true, None) => self.approved_since = Some(at),
            (false, Some(_)) => self.approved_since = None,
            _ => {}
        }
    }

    fn answer_changes_requested(&mut self) {
        if !self.changes_requested_by.is_empty() {
            self.out.review_rounds += 1;
            self.changes_requested_by.clear();
        }
    }

    fn current_turn(&self) -> Turn {
        if !self.open {
            Turn::Nobody
        } else if self.draft || !self.changes_requested_by.is_empty() {
            Turn::Author
        } else {
            self.ball
        }
    }

    fn track_turn(&mut self, at: DateTime<Utc>) {
        let turn = self.current_turn();
        if turn != self.turn {
            self.turn = turn;
            self.turn_since_clock = self.ready_clock;
            self.turn_since = Some(at);
        }
    }

    fn in_window(&self, t: i64) -> bool {
        self.window_start <= t && t < self.window_end
    }

    /// Moves time forward to `t`: the ready clock runs while open and not a draft, and the
    /// current turn's share inside the window is added up.
    fn advance(&mut self, t: i64) {
        if !self.end_seen && t >= self.window_end {
            // The state just before the first moment at or past the end; a PR whose history
            // starts after the end was not open at it.
            self.end_seen = true;
            self.out.open_at_window_end = self.open && self.last.is_some();
        }
        let Some(last) = self.last.replace(t) else {
            return;
        };
        if t <= last {
            self.last = Some(last);
            return;
        }
        let ready = self.open && !self.draft;
        if self.open && self.out.first_review.is_none() {
            match self.out.unreviewed.last_mut() {
                Some(span) if span.to == last && span.ready == ready => span.to = t,
                _ => self.out.unreviewed.push(OpenSpan { from: last, to: t, ready }),
            }
        }
        let clock = &self.config.clock;
        let mut full = None;
        if ready {
            let seconds = clock.seconds(last, t);
            self.ready_clock += seconds;
            full = Some(seconds);
        }
        let (from, to) = (last.max(self.window_start), t.min(self.window_end));
        if from < to && self.open {
            self.out.active_in_window = true;
            let seconds = match full {
                Some(seconds) if from == last && to == t => seconds,
                _ => clock.seconds(from, to),
            };
            match self.turn {
                Turn::Author => self.out.waiting_on_author_secs += seconds,
                Turn::Reviewers => self.out.waiting_on_reviewers_secs += seconds,
                Turn::Nobody => {}
            }
        }
    }

    fn pending_since(&self) -> Vec<(Reviewer, DateTime<Utc>)> {
        self.pending
            .iter()
            .filter_map(|p| {
                let asked = self.out.requests.get(p.record)?.requested_at;
                Some((p.reviewer.clone(), self.ready_at.map_or(asked, |ready| ready.max(asked))))
            })
            .collect()
    }

    fn finish(mut self) -> PrSummary {
        self.advance(self.now);
        if !self.end_seen {
            self.out.open_at_window_end = self.open;
        }
        let never_reviewed = self.out.first_review.is_none() && self.out.first_ready_at.is_some();
        self.out.now = NowState {
            open: self.open,
            draft: self.draft,
            turn: self.turn,
            turn_since: self.turn_since,
            turn_wait_secs: self.ready_clock - self.turn_since_clock,
            pending: if self.open { self.pending.iter().map(|p| p.reviewer.clone()).collect() } else { Vec::new() },
            pending_since: if self.open { self.pending_since() } else { Vec::new() },
            awaiting_first_review_secs: (self.open && never_reviewed).then_some(self.ready_clock),
        };
        self.out
    }
}
