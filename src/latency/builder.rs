//! `DigestBuilder`: folds PRs into a digest one at a time, keeping per-group samples and
//! per-reviewer sums only, so a million events cost memory in proportion to PRs, not events.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};

use super::config::{LatencyConfig, Window};
use super::digest::{
    ChainCoverage, ChainFigures, ChainTracing, Digest, GroupFigures, MergedStory, ReviewerLoad, TargetFigures, Totals,
    Traceability, TriedTarget, TriedWeek, UNTIERED, WaitingPr, WeekFigures,
};
use super::event::{Event, Reviewer};
use super::exclude::LeftOutAcc;
use super::findings::{self, ChainEvidence, Evidence, TargetEvidence, TierEvidence};
use super::stats::{Spread, hours, round2};
use super::timeline::{PrSummary, Turn, summarize_pr};
use crate::model::Tier;
use crate::model::Trace;

/// Tier groups in the order the digest lists them.
const TIER_GROUPS: [Option<Tier>; 4] = [Some(Tier::Red), Some(Tier::Yellow), Some(Tier::Green), None];
const NO_TEAM: &str = "no team";

pub struct DigestBuilder {
    config: LatencyConfig,
    window: Window,
    now: DateTime<Utc>,
    /// Team lookups by lower-case login.
    teams: HashMap<String, Vec<String>>,
    overall: GroupAcc,
    tiers: [GroupAcc; 4],
    ai: [GroupAcc; 2],
    tools: super::tools::ToolsAcc,
    repos: HashMap<String, GroupAcc>,
    by_team: HashMap<String, GroupAcc>,
    reviewers: HashMap<Reviewer, ReviewerAcc>,
    /// First-review waits in the window, split by whether anyone was asked first.
    requested: Vec<i64>,
    unrequested: Vec<i64>,
    targets: Vec<TargetAcc>,
    totals: Totals,
    traceability: Traceability,
    /// The PRs merged in the window that name a story, for the caller to trace.
    merged_stories: Vec<MergedStory>,
    tracing: Option<ChainTracing>,
    /// Each PR's latest evaluation of the window, when the caller handed them in: counted at
    /// the end, without the PRs left out.
    evaluations: Option<Vec<super::shadow::LatestEvaluation>>,
    /// The PRs `exclude` left out (by repository and number), and their count per rule.
    excluded: HashSet<(String, u64)>,
    left_out: LeftOutAcc,
    tried: Vec<TriedAcc>,
    /// Where each trend week ends (Unix seconds): its last Monday's local midnight, or the
    /// window's end or `now` if that comes first.
    week_ends: Vec<i64>,
    /// What the review SLO ladder did, when the caller handed the window's steps in.
    ladder: Option<super::ladder::LadderFigures>,
    /// Each PR's tier as its latest event gave it, by (repository in lower case, number).
    pr_tiers: HashMap<(String, u64), Option<Tier>>,
    waiting: Vec<(i64, WaitingPr)>,
    trend_start: Option<NaiveDate>,
    weeks: Vec<WeekAcc>,
    /// Each stage's values per period and PR, for what changed against the periods before.
    changes: super::changes::ChangesAcc,
    /// The hygiene section's PRs, merges and requests.
    hygiene: super::hygiene::HygieneAcc,
}

#[derive(Default)]
struct GroupAcc {
    prs: usize,
    merged: usize,
    first_review: Vec<i64>,
    response: Vec<i64>,
    open_to_merge: Vec<i64>,
    approval_to_merge: Vec<i64>,
    rounds: Vec<i64>,
    on_reviewers: i64,
    on_author: i64,
    awaiting_now: usize,
    /// Reviews given on the group's PRs, by lower-case login.
    reviews_by: HashMap<String, usize>,
}

struct ReviewerAcc {
    shown: Reviewer,
    requests: usize,
    reviews: usize,
    responses: Vec<i64>,
    open_now: usize,
}

struct TargetAcc {
    tier: Tier,
    target_secs: i64,
    first_reviews: usize,
    breached: usize,
    over_now: usize,
    excess: i64,
}

struct TriedAcc {
    tier: Tier,
    target_secs: i64,
    /// Per trend week: first reviews, late ones, and PRs still waiting past the target at its end.
    weeks: Vec<(usize, usize, usize)>,
}

#[derive(Default)]
struct WeekAcc {
    first_review: Vec<i64>,
    response: Vec<i64>,
    open_to_merge: Vec<i64>,
    merged: usize,
}

/// A PR's contribution to every group it belongs to.
#[derive(Default)]
struct Contribution {
    active: bool,
    merged: bool,
    first_review: Option<i64>,
    responses: Vec<i64>,
    open_to_merge: Option<i64>,
    approval_to_merge: Option<i64>,
    rounds: Option<i64>,
    on_reviewers: i64,
    on_author: i64,
    awaiting_now: bool,
    reviewers: Vec<String>,
}

impl DigestBuilder {
    pub fn new(config: LatencyConfig, window: Window, now: DateTime<Utc>) -> Self {
        let teams = config.teams.iter().map(|(login, teams)| (login.to_ascii_lowercase(), teams.clone())).collect();
        let targets = config
            .first_review_targets
            .iter()
            .rev()
            .map(|(tier, target)| TargetAcc {
                tier: *tier,
                target_secs: i64::try_from(target.as_secs()).unwrap_or(i64::MAX),
                first_reviews: 0,
                breached: 0,
                over_now: 0,
                excess: 0,
            })
            .collect();
        let trend_start = trend_start(&config, &window);
        let weeks = (0..config.trend_weeks).map(|_| WeekAcc::default()).collect();
        let tried = config
            .tried_targets
            .iter()
            .rev()
            .map(|(tier, target)| TriedAcc {
                tier: *tier,
                target_secs: i64::try_from(target.as_secs()).unwrap_or(i64::MAX),
                weeks: vec![(0, 0, 0); config.trend_weeks as usize],
            })
            .collect();
        let last = window.end.min(now).timestamp();
        let week_ends = match trend_start {
            Some(start) => (1..=u64::from(config.trend_weeks))
                .map(|k| {
                    let monday = start.checked_add_days(Days::new(7 * k));
                    monday.and_then(|d| config.clock.calendar.local_midnight(d)).map_or(last, |end| end.min(last))
                })
                .collect(),
            None => Vec::new(),
        };
        let changes =
            super::changes::ChangesAcc::new(window, super::changes::history_read_from(config.trend_weeks, &window));
        DigestBuilder {
            changes,
            config,
            window,
            now,
            teams,
            overall: GroupAcc::default(),
            tiers: Default::default(),
            ai: Default::default(),
            tools: Default::default(),
            repos: HashMap::new(),
            by_team: HashMap::new(),
            reviewers: HashMap::new(),
            requested: Vec::new(),
            unrequested: Vec::new(),
            targets,
            totals: Totals::default(),
            traceability: Traceability::default(),
            merged_stories: Vec::new(),
            tracing: None,
            evaluations: None,
            excluded: HashSet::new(),
            left_out: LeftOutAcc::default(),
            tried,
            week_ends,
            ladder: None,
            pr_tiers: HashMap::new(),
            waiting: Vec::new(),
            trend_start,
            weeks,
            hygiene: Default::default(),
        }
    }

    /// The earliest moment that matters: feed every PR that was open or had an event since then,
    /// with its whole history (a request made before that moment still starts its wait).
    pub fn history_since(&self) -> DateTime<Utc> {
        // A day early: the trend's Monday starts at local midnight, up to a day from UTC's.
        let trend =
            self.trend_start.and_then(|d| d.checked_sub_days(Days::new(1))).and_then(|d| d.and_hms_opt(0, 0, 0));
        let trend = trend.map(|d| d.and_utc());
        trend.map_or(self.window.start, |t| t.min(self.window.start))
    }

    /// Adds the events of one PR (in any order). Events of several PRs are split into one run per
    /// PR, so a whole log sorted by repository and PR can be passed in slices or at once.
    pub fn add_pr(&mut self, events: &[Event]) {
        let mut rest = events;
        while let Some(first) = rest.first() {
            let run = rest.iter().position(|e| e.pr != first.pr || e.repo != first.repo).unwrap_or(rest.len());
            let (one, tail) = rest.split_at(run);
            self.hygiene.add_pr(&self.config, &self.window, self.now, one);
            if let Some(summary) = summarize_pr(&self.config, &self.window, self.now, one) {
                self.add_summary(&summary);
            }
            rest = tail;
        }
    }

    /// Adds a PR already replayed with `summarize_pr` on this builder's config, window and `now`.
    pub fn add_summary(&mut self, pr: &PrSummary) {
        self.pr_tiers.insert((pr.repo.to_ascii_lowercase(), pr.pr), pr.context.tier);
        let left_out = self
            .config
            .exclude
            .matches(&pr.context, pr.first_ready_at.is_none())
            .map(|(rule, value)| (rule, value.map(str::to_string)));
        if left_out.is_none() {
            self.add_trend(pr);
            self.add_tried(pr);
            self.changes.add(pr);
        }
        let window = self.window;
        let in_window = |at: &DateTime<Utc>| window.contains(*at);
        let merged = pr.merged_at.as_ref().is_some_and(in_window);
        let first_review = pr.first_review.as_ref().filter(|f| in_window(&f.at)).map(|f| f.wait_secs);
        let answers = pr.requests.iter().filter_map(|r| r.answer.as_ref()).filter(|a| in_window(&a.at));
        let contribution = Contribution {
            active: pr.active_in_window,
            merged,
            first_review,
            responses: answers.map(|a| a.wait_secs).collect(),
            open_to_merge: pr.open_to_merge_secs.filter(|_| merged),
            approval_to_merge: pr.approval_to_merge_secs.filter(|_| merged),
            rounds: merged.then_some(i64::from(pr.review_rounds)),
            on_reviewers: pr.waiting_on_reviewers_secs,
            on_author: pr.waiting_on_author_secs,
            awaiting_now: pr.now.awaiting_first_review_secs.is_some(),
            reviewers: pr
                .reviews
                .iter()
                .filter(|r| in_window(&r.at))
                .map(|r| r.reviewer.as_str().to_ascii_lowercase())
                .collect(),
        };
        let in_digest =
            contribution.active || contribution.first_review.is_some() || !contribution.responses.is_empty() || merged;
        if let Some((rule, value)) = left_out {
            // Left out of everything; counted only when the window would have counted it.
            self.excluded.insert((pr.repo.clone(), pr.pr));
            if in_digest {
                self.left_out.add(rule, value.as_deref());
            }
            return;
        }
        if !in_digest {
            return;
        }
        self.count_totals(pr, &contribution);
        self.count_reviewers(pr);
        self.count_targets(pr, contribution.first_review);
        if let Some(wait) = first_review {
            let requested = pr.first_review.as_ref().is_some_and(|f| f.requested_before);
            if requested { &mut self.requested } else { &mut self.unrequested }.push(wait);
        }
        if merged {
            self.traceability.merged += 1;
            if !pr.context.story_keys.is_empty() {
                self.traceability.with_story += 1;
                let keys = pr.context.story_keys.clone();
                self.merged_stories.push(MergedStory { repo: pr.repo.clone(), pr: pr.pr, keys });
            }
        }
        if pr.now.open && pr.now.turn == Turn::Reviewers {
            self.keep_waiting(pr);
        }

        self.overall.add(&contribution);
        let tier_index = TIER_GROUPS.iter().position(|t| *t == pr.context.tier).unwrap_or(3);
        self.tiers[tier_index].add(&contribution);
        self.ai[usize::from(!pr.context.ai_touched())].add(&contribution);
        self.tools.add(pr, &self.window, &self.config.clock);
        self.repos.entry(pr.repo.clone()).or_default().add(&contribution);
        match self.teams.get(&pr.context.author.as_str().to_ascii_lowercase()) {
            Some(teams) if !teams.is_empty() => {
                for team in teams {
                    self.by_team.entry(team.clone()).or_default().add(&contribution);
                }
            }
            _ => self.by_team.entry(NO_TEAM.to_string()).or_default().add(&contribution),
        }
    }

    /// The PRs merged in the window that name a story, once every PR is added: what the caller
    /// traces in the trackers before handing the outcomes back with [`Self::chain_tracing`].
    pub fn merged_stories(&self) -> &[MergedStory] {
        &self.merged_stories
    }

    /// What tracing [`Self::merged_stories`] found. Without it the digest says the chains were
    /// not traced.
    pub fn chain_tracing(&mut self, tracing: ChainTracing) {
        self.tracing = Some(tracing);
    }

    /// Each PR's latest evaluation in the window: the digest counts the PRs that shadow mode saw
    /// and those that would have failed.
    pub fn evaluations(&mut self, latest: &[super::shadow::LatestEvaluation]) {
        self.evaluations = Some(latest.to_vec());
    }

    /// The hygiene section: the merges of the window, to look up the gate's state at each, and
    /// where the answers go.
    pub fn hygiene(&mut self) -> &mut super::hygiene::HygieneAcc {
        &mut self.hygiene
    }

    /// The review SLO ladder's steps of the window (add the PRs first: a step counts under its
    /// PR's tier).
    pub fn ladder_steps(&mut self, steps: &[super::ladder::LadderStep]) {
        let tiers = &self.pr_tiers;
        self.ladder =
            super::ladder::figures(steps, |repo, pr| tiers.get(&(repo.to_ascii_lowercase(), pr)).copied().flatten());
    }

    /// The chain figures of the merged PRs with a story. A PR with no outcome handed in counts as
    /// not verified: nobody looked, so it is never traced.
    fn chain_coverage(&self) -> ChainCoverage {
        let (levels, outcomes) = match &self.tracing {
            None => return ChainCoverage::not_computed(super::digest::NOT_TRACED),
            Some(ChainTracing::NotComputed(reason)) => return ChainCoverage::not_computed(reason.clone()),
            Some(ChainTracing::Traced { levels, outcomes }) => (levels, outcomes),
        };
        let mut figures = ChainFigures {
            levels: levels.clone(),
            traced: 0,
            broken: 0,
            not_found: 0,
            not_verified: 0,
            traced_share: None,
        };
        for story in &self.merged_stories {
            let outcome =
                outcomes.iter().find(|((repo, pr), _)| *repo == story.repo && *pr == story.pr).map(|(_, t)| t);
            match outcome {
                Some(Trace::Traced { .. }) => figures.traced += 1,
                Some(Trace::Broken { .. }) => figures.broken += 1,
                Some(Trace::NotFound { .. }) => figures.not_found += 1,
                _ => figures.not_verified += 1,
            }
        }
        let merged = self.traceability.merged;
        figures.traced_share = (merged > 0).then(|| round2(figures.traced as f64 / merged as f64));
        ChainCoverage::Computed(figures)
    }

    fn count_totals(&mut self, pr: &PrSummary, c: &Contribution) {
        let window = self.window;
        let in_window = |at: Option<DateTime<Utc>>| at.is_some_and(|at| window.contains(at));
        let totals = &mut self.totals;
        totals.prs_active += usize::from(c.active);
        totals.opened += usize::from(in_window(pr.opened_at));
        totals.merged += usize::from(c.merged);
        totals.closed_unmerged += usize::from(in_window(pr.closed_at));
        totals.open_at_end += usize::from(pr.open_at_window_end);
        totals.first_reviews += usize::from(c.first_review.is_some());
        totals.reviews += c.reviewers.len();
        totals.review_requests += pr.requests.iter().filter(|r| in_window(Some(r.requested_at))).count();
        totals.waiting_on_reviewers_now += usize::from(pr.now.open && pr.now.turn == Turn::Reviewers);
        totals.waiting_on_author_now += usize::from(pr.now.open && pr.now.turn == Turn::Author);
    }

    fn count_reviewers(&mut self, pr: &PrSummary) {
        let window = self.window;
        for request in &pr.requests {
            let entry = reviewer_entry(&mut self.reviewers, &request.reviewer);
            if window.contains(request.requested_at) {
                entry.requests += 1;
            }
            if let Some(answer) = request.answer.as_ref().filter(|a| window.contains(a.at)) {
                entry.responses.push(answer.wait_secs);
                if matches!(request.reviewer, Reviewer::Team { .. }) {
                    entry.reviews += 1;
                }
            }
        }
        for review in pr.reviews.iter().filter(|r| window.contains(r.at)) {
            reviewer_entry(&mut self.reviewers, &Reviewer::user(review.reviewer.as_str())).reviews += 1;
        }
        if pr.now.open && !pr.now.draft {
            for reviewer in &pr.now.pending {
                reviewer_entry(&mut self.reviewers, reviewer).open_now += 1;
            }
        }
    }

    fn count_targets(&mut self, pr: &PrSummary, first_review: Option<i64>) {
        let Some(target) = self.targets.iter_mut().find(|t| Some(t.tier) == pr.context.tier) else {
            return;
        };
        if let Some(wait) = first_review {
            target.first_reviews += 1;
            if wait > target.target_secs {
                target.breached += 1;
                target.excess += wait - target.target_secs;
            }
        }
        if let Some(wait) = pr.now.awaiting_first_review_secs.filter(|w| *w > target.target_secs) {
            target.over_now += 1;
            target.excess += wait - target.target_secs;
        }
    }

    /// Keeps the longest waits only: twice the list's length between trims, then sorted.
    fn keep_waiting(&mut self, pr: &PrSummary) {
        let limit = self.config.longest_waiting;
        if limit == 0 {
            return;
        }
        let entry = WaitingPr {
            repo: pr.repo.clone(),
            pr: pr.pr,
            tier: pr.context.tier,
            author: pr.context.author.clone(),
            waiting_hours: hours(pr.now.turn_wait_secs),
            since: pr.now.turn_since,
            on: pr.now.pending.clone(),
        };
        self.waiting.push((pr.now.turn_wait_secs, entry));
        if self.waiting.len() >= limit.saturating_mul(2).max(64) {
            trim_waiting(&mut self.waiting, limit);
        }
    }

    /// The trend week an instant falls in: by its local date, before the window's end.
    fn week_of(&self, at: DateTime<Utc>) -> Option<usize> {
        let start = self.trend_start?;
        if at >= self.window.end {
            return None;
        }
        let day = self.config.clock.calendar.local_naive_date(at)?;
        let days = day.signed_duration_since(start).num_days();
        usize::try_from(days / 7).ok().filter(|_| days >= 0)
    }

    /// The PR against each tried target of its tier, week by week: its first review in the week
    /// it came, late or not, and its wait at each week's end while it had none.
    fn add_tried(&mut self, pr: &PrSummary) {
        if !self.tried.iter().any(|t| Some(t.tier) == pr.context.tier) {
            return;
        }
        let reviewed = pr.first_review.as_ref().and_then(|f| Some((self.week_of(f.at)?, f.wait_secs)));
        let waits: Vec<Option<i64>> =
            self.week_ends.iter().map(|end| pr.waiting_at(&self.config.clock, *end)).collect();
        for tried in self.tried.iter_mut().filter(|t| Some(t.tier) == pr.context.tier) {
            if let Some((week, wait)) = reviewed
                && let Some(counts) = tried.weeks.get_mut(week)
            {
                counts.0 += 1;
                counts.1 += usize::from(wait > tried.target_secs);
            }
            for (counts, wait) in tried.weeks.iter_mut().zip(&waits) {
                counts.2 += usize::from(wait.is_some_and(|w| w > tried.target_secs));
            }
        }
    }

    fn add_trend(&mut self, pr: &PrSummary) {
        if self.trend_start.is_none() {
            return;
        }
        if let Some(f) = &pr.first_review
            && let Some(week) = self.week_of(f.at).and_then(|w| self.weeks.get_mut(w))
        {
            week.first_review.push(f.wait_secs);
        }
        for answer in pr.requests.iter().filter_map(|r| r.answer.as_ref()) {
            if let Some(week) = self.week_of(answer.at).and_then(|w| self.weeks.get_mut(w)) {
                week.response.push(answer.wait_secs);
            }
        }
        if let Some(merged) = pr.merged_at
            && let Some(week) = self.week_of(merged).and_then(|w| self.weeks.get_mut(w))
        {
            week.merged += 1;
            week.open_to_merge.extend(pr.open_to_merge_secs);
        }
    }

    pub fn finish(mut self) -> Digest {
        trim_waiting(&mut self.waiting, self.config.longest_waiting);
        let tier_labels: Vec<&str> = TIER_GROUPS.iter().map(|t| t.map_or(UNTIERED, Tier::id)).collect();
        let by_tier = tier_labels
            .iter()
            .zip(self.tiers.iter_mut())
            .filter(|(_, acc)| !acc.is_empty())
            .map(|(label, acc)| acc.figures(label))
            .collect();
        let by_ai = ["ai", "no_ai"]
            .iter()
            .zip(self.ai.iter_mut())
            .filter(|(_, acc)| !acc.is_empty())
            .map(|(label, acc)| acc.figures(label))
            .collect();
        let mut by_repo: Vec<GroupFigures> = self.repos.iter_mut().map(|(name, acc)| acc.figures(name)).collect();
        by_repo.sort_by(|a, b| a.group.cmp(&b.group));
        let mut by_team: Vec<GroupFigures> = self.by_team.iter_mut().map(|(name, acc)| acc.figures(name)).collect();
        by_team.sort_by(|a, b| (a.group == NO_TEAM, &a.group).cmp(&(b.group == NO_TEAM, &b.group)));
        let overall = self.overall.figures("all");

        let mut reviewers: Vec<ReviewerLoad> = self
            .reviewers
            .values_mut()
            .map(|acc| ReviewerLoad {
                reviewer: acc.shown.clone(),
                requests_received: acc.requests,
                reviews_given: acc.reviews,
                // A person's speed goes to nobody but that person, and this digest is the team's:
                // only a team's answer wait is shown.
                response_hours: match acc.shown {
                    Reviewer::Team { .. } => Spread::hours(&mut acc.responses),
                    Reviewer::User { .. } => Spread::default(),
                },
                open_queue_now: acc.open_now,
            })
            .filter(|r| r.requests_received + r.reviews_given + r.open_queue_now > 0)
            .collect();
        reviewers.sort_by(|a, b| {
            (b.requests_received, b.reviews_given, b.open_queue_now)
                .cmp(&(a.requests_received, a.reviews_given, a.open_queue_now))
                .then_with(|| a.reviewer.name().to_ascii_lowercase().cmp(&b.reviewer.name().to_ascii_lowercase()))
        });

        let targets = self
            .targets
            .iter()
            .map(|t| TargetFigures {
                tier: t.tier,
                target_hours: round2(t.target_secs as f64 / 3600.0),
                first_reviews: t.first_reviews,
                breached: t.breached,
                waiting_over_target_now: t.over_now,
            })
            .collect();

        self.traceability.share = (self.traceability.merged > 0)
            .then(|| round2(self.traceability.with_story as f64 / self.traceability.merged as f64));
        self.traceability.chains = self.chain_coverage();

        // `figures` sorted every sample vector, as the findings need.
        self.requested.sort_unstable();
        self.unrequested.sort_unstable();
        let evidence = Evidence {
            tiers: tier_labels
                .iter()
                .zip(self.tiers.iter())
                .map(|(label, acc)| TierEvidence {
                    label,
                    first_review: &acc.first_review,
                    on_reviewers_secs: acc.on_reviewers,
                    review_counts: acc.reviews_by.values().copied().collect(),
                })
                .collect(),
            ai: &self.ai[0].first_review,
            no_ai: &self.ai[1].first_review,
            requested: &self.requested,
            unrequested: &self.unrequested,
            overall: &self.overall.first_review,
            repos: self.repos.iter().map(|(name, acc)| (name.as_str(), acc.first_review.as_slice())).collect(),
            on_author_secs: self.overall.on_author,
            on_reviewers_secs: self.overall.on_reviewers,
            approval_to_merge: &self.overall.approval_to_merge,
            targets: self
                .targets
                .iter()
                .map(|t| TargetEvidence {
                    tier: t.tier,
                    target_secs: t.target_secs,
                    breached: t.breached + t.over_now,
                    measured: t.first_reviews + t.over_now,
                    excess_secs: t.excess,
                })
                .collect(),
        };
        let chains = match &self.traceability.chains {
            ChainCoverage::Computed(figures) => Some(ChainEvidence {
                top: figures.top(),
                traced: figures.traced,
                merged: self.traceability.merged,
                traced_share: figures.traced_share,
                not_verified: figures.not_verified,
                broken: figures.broken,
            }),
            ChainCoverage::NotComputed { .. } => None,
        };
        let findings = findings::select(&evidence, chains);
        let excluded = &self.excluded;
        let shadow = self.evaluations.as_ref().and_then(|latest| {
            let kept: Vec<_> = latest.iter().filter(|e| !excluded.contains(&(e.repo.clone(), e.pr))).cloned().collect();
            super::shadow::figures(&kept)
        });

        let week_name = |i: usize| -> Option<(String, NaiveDate)> {
            let starts_on = self.trend_start?.checked_add_days(Days::new(7 * i as u64))?;
            let iso = starts_on.iso_week();
            Some((format!("{}-W{:02}", iso.year(), iso.week()), starts_on))
        };
        let tried_targets = self
            .tried
            .iter()
            .map(|t| TriedTarget {
                tier: t.tier,
                target_hours: round2(t.target_secs as f64 / 3600.0),
                weeks: t
                    .weeks
                    .iter()
                    .enumerate()
                    .filter_map(|(i, &(first_reviews, late, waiting_over))| {
                        let (week, starts_on) = week_name(i)?;
                        Some(TriedWeek {
                            week,
                            starts_on,
                            first_reviews,
                            late,
                            waiting_over,
                            breached: late + waiting_over,
                            out_of: first_reviews + waiting_over,
                        })
                    })
                    .collect(),
            })
            .collect();
        let trend = match self.trend_start {
            Some(_) => self
                .weeks
                .iter_mut()
                .enumerate()
                .filter_map(|(i, week)| {
                    let (week_label, starts_on) = week_name(i)?;
                    Some(WeekFigures {
                        week: week_label,
                        starts_on,
                        first_review_hours: Spread::hours(&mut week.first_review),
                        review_response_hours: Spread::hours(&mut week.response),
                        open_to_merge_hours: Spread::hours(&mut week.open_to_merge),
                        merged: week.merged,
                    })
                })
                .collect(),
            None => Vec::new(),
        };

        Digest {
            window: self.window,
            now: self.now,
            clock: self.config.clock.mode,
            timezone: self.config.clock.calendar.timezone().to_string(),
            totals: self.totals,
            overall,
            by_tier,
            by_ai,
            by_tool: self.tools.finish(),
            by_repo,
            by_team,
            reviewers,
            targets,
            longest_waiting: self.waiting.into_iter().map(|(_, w)| w).collect(),
            traceability: self.traceability.clone(),
            findings,
            trend,
            shadow,
            ladder: self.ladder,
            per_repo: None,
            tried_targets,
            left_out: self.left_out.finish(&self.config.exclude),
            changes: self.changes.finish(),
            hygiene: self.hygiene.finish(&self.config, &self.window),
        }
    }
}

impl GroupAcc {
    fn add(&mut self, c: &Contribution) {
        self.prs += usize::from(c.active);
        self.merged += usize::from(c.merged);
        self.first_review.extend(c.first_review);
        self.response.extend_from_slice(&c.responses);
        self.open_to_merge.extend(c.open_to_merge);
        self.approval_to_merge.extend(c.approval_to_merge);
        self.rounds.extend(c.rounds);
        self.on_reviewers += c.on_reviewers;
        self.on_author += c.on_author;
        self.awaiting_now += usize::from(c.awaiting_now);
        for login in &c.reviewers {
            *self.reviews_by.entry(login.clone()).or_default() += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.prs == 0 && self.first_review.is_empty() && self.response.is_empty() && self.merged == 0
    }

    /// Sorts the samples in place (the findings read them sorted afterwards).
    fn figures(&mut self, group: &str) -> GroupFigures {
        GroupFigures {
            group: group.to_string(),
            prs: self.prs,
            merged: self.merged,
            first_review_hours: Spread::hours(&mut self.first_review),
            review_response_hours: Spread::hours(&mut self.response),
            open_to_merge_hours: Spread::hours(&mut self.open_to_merge),
            approval_to_merge_hours: Spread::hours(&mut self.approval_to_merge),
            review_rounds: Spread::counts(&mut self.rounds),
            waiting_on_reviewers_hours: hours(self.on_reviewers),
            waiting_on_author_hours: hours(self.on_author),
            awaiting_first_review_now: self.awaiting_now,
        }
    }
}

/// Case-insensitive, as GitHub compares logins and team slugs; shown as first spelled.
fn reviewer_entry<'a>(map: &'a mut HashMap<Reviewer, ReviewerAcc>, reviewer: &Reviewer) -> &'a mut ReviewerAcc {
    let key = match reviewer {
        Reviewer::User { login } => Reviewer::user(login.to_ascii_lowercase()),
        Reviewer::Team { slug } => Reviewer::team(slug.to_ascii_lowercase()),
    };
    map.entry(key).or_insert_with(|| ReviewerAcc {
        shown: reviewer.clone(),
        requests: 0,
        reviews: 0,
        responses: Vec::new(),
        open_now: 0,
    })
}

fn trim_waiting(waiting: &mut Vec<(i64, WaitingPr)>, limit: usize) {
    waiting.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| (&a.1.repo, a.1.pr).cmp(&(&b.1.repo, b.1.pr))));
    waiting.truncate(limit);
}

/// The Monday (local) that starts the trend: `trend_weeks` ISO weeks ending with the window's last.
fn trend_start(config: &LatencyConfig, window: &Window) -> Option<NaiveDate> {
    if config.trend_weeks == 0 || window.end <= window.start {
        return None;
    }
    let last_instant = window.end.checked_sub_signed(chrono::TimeDelta::seconds(1))?;
    let last_day = config.clock.calendar.local_naive_date(last_instant)?;
    let monday = last_day.checked_sub_days(Days::new(u64::from(last_day.weekday().num_days_from_monday())))?;
    monday.checked_sub_days(Days::new(7 * u64::from(config.trend_weeks - 1)))
}
