//! The digest's "gate's own hygiene" section as data: overrides used, merges past a pending or
//! failing gate, approved PRs left unmerged, idle PRs, merges under a linkage exemption, and
//! review requests made to people already at their capacity. Pure: the builder hands each PR's
//! events in, the caller the gate's state at each merge; every list is of PRs, never a ranking
//! of people.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::config::{LatencyConfig, Window};
use super::event::{Actor, Event, EventKind, LinkageExemption, ReviewOutcome, Reviewer};
use super::stats::{hours, round2};
use crate::model::Login;

/// GitHub's merge queue merges as this account.
const MERGE_QUEUE_BOT: &str = "github-merge-queue[bot]";

/// What the hygiene section measures against. Defaults: approved PRs unmerged for 16 hours on the
/// digest's clock (two working days), PRs idle for 7 days, and no capacities (no pool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HygieneConfig {
    /// An open PR approved for longer than this (on the digest's clock) is listed.
    pub approved_unmerged: Duration,
    /// An open, ready PR with no event for this many calendar days is idle.
    pub idle_days: u32,
    /// The most open review requests each person should carry, by lower-case login: the least
    /// `capacity` of the reviewer pools they are in.
    pub capacity: HashMap<String, u32>,
}

impl Default for HygieneConfig {
    fn default() -> Self {
        HygieneConfig { approved_unmerged: Duration::from_secs(16 * 3600), idle_days: 7, capacity: HashMap::new() }
    }
}

/// The section. Lists are ordered by repository and PR (overrides by time), people by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hygiene {
    pub overrides: Vec<OverrideUse>,
    pub bypasses: Vec<BypassMerge>,
    /// PRs merged in the window whose gate state at merge is unknown: flowgate recorded no
    /// evaluation of them before the merge. Counted only when the digest has evaluations.
    pub merges_unseen: usize,
    pub approved_unmerged_hours: f64,
    pub approved_unmerged: Vec<ApprovedUnmerged>,
    pub idle_days: u32,
    pub idle: Vec<IdlePr>,
    pub exempt_merges: Vec<ExemptMerge>,
    pub over_capacity: Vec<OverCapacity>,
}

/// A PR, as every list names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PrRef {
    pub repo: String,
    pub pr: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverrideUse {
    #[serde(flatten)]
    pub pr: PrRef,
    pub at: DateTime<Utc>,
    pub label: String,
    /// Who applied the label.
    pub by: Login,
    pub reason: Option<String>,
}

/// How a PR was merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeVia {
    /// GitHub's merge queue.
    MergeQueue,
    /// The merge button, the API or the command line: anything but the queue.
    Direct,
}

/// The gate's state when the PR merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GateState {
    Pass,
    Pending,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BypassMerge {
    #[serde(flatten)]
    pub pr: PrRef,
    pub at: DateTime<Utc>,
    pub merged_by: Login,
    pub via: MergeVia,
    /// `pending` or `fail`.
    pub gate: GateState,
    /// The head had new commits after the last evaluation, so the merged commit was never judged.
    pub head_unevaluated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApprovedUnmerged {
    #[serde(flatten)]
    pub pr: PrRef,
    pub approved_at: DateTime<Utc>,
    /// On the digest's clock.
    pub hours: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdlePr {
    #[serde(flatten)]
    pub pr: PrRef,
    pub last_event_at: DateTime<Utc>,
    /// Whole calendar days since.
    pub days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExemptMerge {
    #[serde(flatten)]
    pub pr: PrRef,
    pub at: DateTime<Utc>,
    pub exemption: LinkageExemption,
}

/// A person asked for reviews while already carrying their capacity of open requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverCapacity {
    pub reviewer: String,
    pub capacity: u32,
    /// The requests of the window made while they were at or over it, and on which PRs.
    pub requests: usize,
    pub prs: Vec<PrRef>,
}

/// The gate's recorded state at a PR's merge: its latest evaluation before the merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateAtMerge {
    pub repo: String,
    pub pr: u64,
    /// When that evaluation was made.
    pub evaluated_at: DateTime<Utc>,
    /// The policy enforced it (shadow mode's check runs block nothing, so no merge bypasses them).
    pub enforced: bool,
    pub state: GateState,
}

/// A merge of the window, waiting for the gate's state at that moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSeen {
    pub repo: String,
    pub pr: u64,
    pub at: DateTime<Utc>,
    by: Actor,
    /// The last push before the merge.
    last_push: Option<DateTime<Utc>>,
}

/// One review request to a person: open from `from` until answered, withdrawn or the PR ended.
struct RequestSpan {
    pr: PrRef,
    shown: String,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
}

/// Folds PRs in one at a time; memory follows the window's merges, overrides and requests.
#[derive(Default)]
pub struct HygieneAcc {
    overrides: Vec<OverrideUse>,
    merges: Vec<MergeSeen>,
    approved: Vec<ApprovedUnmerged>,
    idle: Vec<IdlePr>,
    exempt: Vec<ExemptMerge>,
    requests: HashMap<String, Vec<RequestSpan>>,
    gates: Option<Vec<GateAtMerge>>,
}

impl HygieneAcc {
    /// One PR's events (any order; events at or after `now` are not known yet).
    pub fn add_pr(&mut self, config: &LatencyConfig, window: &Window, now: DateTime<Utc>, events: &[Event]) {
        let mut ordered: Vec<&Event> = events.iter().filter(|e| e.at < now).collect();
        ordered.sort_by_key(|e| e.at);
        ordered.dedup_by(|a, b| a.id == b.id);
        let Some(last) = ordered.last() else { return };
        let pr = PrRef { repo: last.repo.clone(), pr: last.pr };
        let author = last.context.author.as_str().to_ascii_lowercase();
        let (mut open, mut draft) = (false, false);
        let mut decisive: Vec<(String, ReviewOutcome)> = Vec::new();
        let mut approved_since: Option<DateTime<Utc>> = None;
        let mut last_push = None;
        let mut exemption: Option<&LinkageExemption> = None;
        let mut spans: Vec<RequestSpan> = Vec::new();
        let close = |spans: &mut Vec<RequestSpan>, login: Option<&str>, at| {
            for span in spans.iter_mut().filter(|s| s.to.is_none()) {
                if login.is_none_or(|l| s_eq(&span.shown, l)) {
                    span.to = Some(at);
                }
            }
        };
        for event in &ordered {
            let at = event.at;
            match &event.kind {
                EventKind::Opened { draft: d } => (open, draft) = (true, *d),
                EventKind::Reopened => open = true,
                EventKind::ReadyForReview => draft = false,
                EventKind::ConvertedToDraft => draft = true,
                EventKind::ReviewRequested { reviewer: Reviewer::User { login } } => {
                    close(&mut spans, Some(login), at);
                    spans.push(RequestSpan { pr: pr.clone(), shown: login.clone(), from: at, to: None });
                }
                EventKind::ReviewRequestRemoved { reviewer: Reviewer::User { login } } => {
                    close(&mut spans, Some(login), at)
                }
                EventKind::ReviewSubmitted { outcome } => {
                    let login = event.actor.login.as_str().to_ascii_lowercase();
                    close(&mut spans, Some(&login), at);
                    if *outcome != ReviewOutcome::Commented && login != author && !event.actor.bot {
                        decisive.retain(|(l, _)| *l != login);
                        decisive.push((login, *outcome));
                    }
                }
                EventKind::ReviewDismissed { reviewer } => {
                    decisive.retain(|(l, _)| !s_eq(l, reviewer.as_str()));
                }
                EventKind::Synchronize => last_push = Some(at),
                EventKind::Merged | EventKind::Closed => {
                    open = false;
                    close(&mut spans, None, at);
                    if matches!(event.kind, EventKind::Merged) && window.contains(at) {
                        self.merges.push(MergeSeen {
                            repo: pr.repo.clone(),
                            pr: pr.pr,
                            at,
                            by: event.actor.clone(),
                            last_push,
                        });
                        if let Some(exemption) = exemption.filter(|_| event.context.story_keys.is_empty()) {
                            let exemption = exemption.clone();
                            self.exempt.push(ExemptMerge { pr: pr.clone(), at, exemption });
                        }
                    }
                }
                EventKind::OverrideAccepted { label, reason } if window.contains(at) => {
                    self.overrides.push(OverrideUse {
                        pr: pr.clone(),
                        at,
                        label: label.clone(),
                        by: event.actor.login.clone(),
                        reason: reason.clone(),
                    });
                }
                EventKind::LinkageExempt { exemption: e } => exemption = Some(e),
                _ => {}
            }
            let approved = decisive.iter().any(|(_, o)| *o == ReviewOutcome::Approved)
                && !decisive.iter().any(|(_, o)| *o == ReviewOutcome::ChangesRequested);
            approved_since = if approved { approved_since.or(Some(at)) } else { None };
        }
        for span in spans {
            self.requests.entry(span.shown.to_ascii_lowercase()).or_default().push(span);
        }
        if !open || draft {
            return;
        }
        if let Some(since) = approved_since {
            let secs = config.clock.seconds(since.timestamp(), now.timestamp());
            if u64::try_from(secs).is_ok_and(|s| s > config.hygiene.approved_unmerged.as_secs()) {
                self.approved.push(ApprovedUnmerged { pr: pr.clone(), approved_at: since, hours: hours(secs) });
            }
        }
        let days = now.signed_duration_since(last.at).num_days();
        if days >= i64::from(config.hygiene.idle_days) {
            self.idle.push(IdlePr { pr, last_event_at: last.at, days });
        }
    }

    /// The merges of the window, for the caller to look up the gate's state at each.
    pub fn merges(&self) -> &[MergeSeen] {
        &self.merges
    }

    /// The gate's state at the merges (those flowgate evaluated before the merge).
    pub fn gates_at_merge(&mut self, gates: Vec<GateAtMerge>) {
        self.gates = Some(gates);
    }

    /// The section; `None` when it has nothing to say.
    pub fn finish(self, config: &LatencyConfig, window: &Window) -> Option<Hygiene> {
        let HygieneAcc { mut overrides, merges, mut approved, mut idle, mut exempt, requests, gates } = self;
        let (bypasses, merges_unseen) = bypasses(&merges, gates.as_deref());
        overrides.sort_by(|a, b| (a.at, &a.pr).cmp(&(b.at, &b.pr)));
        approved.sort_by(|a, b| a.pr.cmp(&b.pr));
        idle.sort_by(|a, b| a.pr.cmp(&b.pr));
        exempt.sort_by(|a, b| a.pr.cmp(&b.pr));
        let over_capacity = over_capacity(&config.hygiene.capacity, requests, window);
        let empty = overrides.is_empty()
            && bypasses.is_empty()
            && merges_unseen == 0
            && approved.is_empty()
            && idle.is_empty()
            && exempt.is_empty()
            && over_capacity.is_empty();
        (!empty).then(|| Hygiene {
            overrides,
            bypasses,
            merges_unseen,
            approved_unmerged_hours: round2(config.hygiene.approved_unmerged.as_secs_f64() / 3600.0),
            approved_unmerged: approved,
            idle_days: config.hygiene.idle_days,
            idle,
            exempt_merges: exempt,
            over_capacity,
        })
    }
}

fn s_eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The merges past an enforced gate that was pending or failing, or whose merged head it never
/// judged; and how many merges it had not evaluated at all. Without evaluations (history imported
/// from GitHub) nothing can be said, and nothing is counted.
fn bypasses(merges: &[MergeSeen], gates: Option<&[GateAtMerge]>) -> (Vec<BypassMerge>, usize) {
    let Some(gates) = gates else { return (Vec::new(), 0) };
    let mut unseen = 0;
    let mut out = Vec::new();
    for merge in merges {
        let Some(gate) = gates.iter().find(|g| s_eq(&g.repo, &merge.repo) && g.pr == merge.pr) else {
            unseen += 1;
            continue;
        };
        if !gate.enforced {
            continue;
        }
        let head_unevaluated = merge.last_push.is_some_and(|push| push > gate.evaluated_at);
        let state = if head_unevaluated && gate.state == GateState::Pass { GateState::Pending } else { gate.state };
        if state == GateState::Pass {
            continue;
        }
        let via = if s_eq(merge.by.login.as_str(), MERGE_QUEUE_BOT) { MergeVia::MergeQueue } else { MergeVia::Direct };
        out.push(BypassMerge {
            pr: PrRef { repo: merge.repo.clone(), pr: merge.pr },
            at: merge.at,
            merged_by: merge.by.login.clone(),
            via,
            gate: state,
            head_unevaluated,
        });
    }
    out.sort_by(|a, b| a.pr.cmp(&b.pr));
    (out, unseen)
}

/// For each person with a capacity, the requests of the window made while they already had that
/// many open; by name. A request is open from when it is made until answered, withdrawn or its PR
/// ends.
fn over_capacity(
    capacity: &HashMap<String, u32>,
    requests: HashMap<String, Vec<RequestSpan>>,
    window: &Window,
) -> Vec<OverCapacity> {
    let mut out = Vec::new();
    for (login, mut spans) in requests {
        let Some(&cap) = capacity.get(&login) else { continue };
        spans.sort_by_key(|s| s.from);
        let mut prs = Vec::new();
        for (i, span) in spans.iter().enumerate().filter(|(_, s)| window.contains(s.from)) {
            let open = spans[..i].iter().filter(|s| s.to.is_none_or(|to| to > span.from)).count();
            if open >= cap as usize {
                prs.push(span.pr.clone());
            }
        }
        if !prs.is_empty() {
            let reviewer = spans.first().map_or(login, |s| s.shown.clone());
            let requests = prs.len();
            prs.sort();
            prs.dedup();
            out.push(OverCapacity { reviewer, capacity: cap, requests, prs });
        }
    }
    out.sort_by_key(|o| o.reviewer.to_ascii_lowercase());
    out
}
