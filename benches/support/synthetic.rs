//! A deterministic synthetic review-event log for the digest benchmarks: twelve weeks of PRs, each
//! with twenty events, the same on every run (no dependency, no randomness from the machine).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use flowgate::latency::{
    Actor, AiDeclared, BusinessCalendar, Clock, ClockMode, Event, EventKind, LatencyConfig, PrContext, ReviewOutcome,
    Reviewer,
};
use flowgate::model::Login;
use flowgate::policy::Tier;

pub const PRS: u64 = 50_000;
pub const EVENTS_PER_PR: usize = 20;
const REVIEWERS: u64 = 80;
pub const AUTHORS: u64 = 300;

/// A 64-bit linear congruential generator: the same log on every run, without a dependency.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

pub fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-06T00:00:00Z").expect("fixed date").with_timezone(&Utc)
}

/// One PR's 20 events: opened (a fifth as drafts, made ready later), reviewers and a team
/// requested, reviews with change requests answered by pushes and re-requests, a bot review,
/// then approved and merged, or closed, or left open. Twelve weeks of PRs.
pub fn generate_pr(rng: &mut Lcg, index: u64, repos: u64, out: &mut Vec<Event>) {
    out.clear();
    let repo = format!("acme/service-{}", index % repos);
    let author = format!("dev{}", rng.next(AUTHORS));
    let tier = [Tier::Green, Tier::Yellow, Tier::Yellow, Tier::Red][rng.next(4) as usize];
    let ai = rng.next(3) == 0;
    let context = PrContext {
        author: Login::new(&author),
        tier: Some(tier),
        ai_declared: if ai { AiDeclared::Assisted } else { AiDeclared::None },
        ai_detected: ai && rng.next(2) == 0,
        ai_tools: if ai { vec!["claude".to_string()] } else { Vec::new() },
        story_keys: if rng.next(5) == 0 { Vec::new() } else { vec![format!("ABC-{index}")] },
        title: Some(format!("Change {index}")),
        head_branch: Some(format!("{author}/change-{index}")),
        labels: Vec::new(),
    };
    let at = start() + TimeDelta::minutes(rng.next(12 * 7 * 24 * 60) as i64);
    let reviewer = |rng: &mut Lcg| format!("rev{}", rng.next(REVIEWERS));
    let first = reviewer(rng);
    let second = reviewer(rng);
    let draft = rng.next(5) == 0;
    let mut pr = Writer { out, at, repo, index, context };
    pr.push(rng, &author, EventKind::Opened { draft });
    if draft {
        pr.push(rng, &author, EventKind::ReadyForReview);
    }
    pr.push(rng, &author, EventKind::ReviewRequested { reviewer: Reviewer::user(&first) });
    pr.push(rng, &author, EventKind::ReviewRequested { reviewer: Reviewer::user(&second) });
    pr.push(rng, &author, EventKind::ReviewRequested { reviewer: Reviewer::team("acme/platform") });
    pr.push(rng, "ci-helper[bot]", EventKind::ReviewSubmitted { outcome: ReviewOutcome::Commented });
    let ending = rng.next(10);
    let tail = if ending < 7 {
        2
    } else if ending < 9 {
        1
    } else {
        0
    };
    while pr.out.len() < EVENTS_PER_PR - tail {
        match rng.next(6) {
            0 => pr.push(rng, &first, EventKind::ReviewSubmitted { outcome: ReviewOutcome::ChangesRequested }),
            2 => pr.push(rng, &second, EventKind::ReviewSubmitted { outcome: ReviewOutcome::Commented }),
            3 => pr.push(rng, &author, EventKind::ReviewRequested { reviewer: Reviewer::user(&first) }),
            4 => pr.push(rng, &author, EventKind::ReviewSubmitted { outcome: ReviewOutcome::Commented }),
            _ => pr.push(rng, &author, EventKind::Synchronize),
        }
    }
    match tail {
        2 => {
            pr.push(rng, &first, EventKind::ReviewSubmitted { outcome: ReviewOutcome::Approved });
            pr.push(rng, &author, EventKind::Merged);
        }
        1 => pr.push(rng, &author, EventKind::Closed),
        _ => {}
    }
}

/// Appends events a few minutes to a few hours apart.
struct Writer<'a> {
    out: &'a mut Vec<Event>,
    at: DateTime<Utc>,
    repo: String,
    index: u64,
    context: PrContext,
}

impl Writer<'_> {
    fn push(&mut self, rng: &mut Lcg, actor: &str, kind: EventKind) {
        self.at += TimeDelta::minutes(1 + rng.next(6 * 60) as i64);
        let n = self.out.len();
        self.out.push(Event {
            id: format!("{}#{}/{n}", self.repo, self.index),
            repo: self.repo.clone(),
            pr: self.index,
            at: self.at,
            actor: Actor::login(actor),
            context: self.context.clone(),
            kind,
        });
    }
}

/// The digest settings both benchmarks measure with: Berlin working hours, twelve trend weeks,
/// a first-review target per tier, authors in twelve teams.
pub fn config(mode: ClockMode) -> LatencyConfig {
    use chrono::Weekday::*;
    let calendar = BusinessCalendar::new("Europe/Berlin", &[Mon, Tue, Wed, Thu, Fri], (9 * 60, 17 * 60), &[])
        .expect("Europe/Berlin");
    let mut config = LatencyConfig::new(Clock { calendar, mode });
    config.ai_reviewers = vec!["copilot".to_string()];
    config.teams = (0..AUTHORS).map(|i| (format!("dev{i}"), vec![format!("team-{}", i % 12)])).collect();
    config.first_review_targets = BTreeMap::from([
        (Tier::Red, Duration::from_secs(8 * 3600)),
        (Tier::Yellow, Duration::from_secs(24 * 3600)),
        (Tier::Green, Duration::from_secs(48 * 3600)),
    ]);
    config.trend_weeks = 12;
    config
}
