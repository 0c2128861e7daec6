//! Replays a recorded stream of PRs and reviews and compares flowgate's choices with the
//! strategies teams use today: round-robin, seeded random, and GitHub's load balance (fewest
//! requests in the last 30 days). Each strategy is replayed without and, when the setup has one,
//! with the review SLO ladder (`ladder.rs`), stepped by the same `slo::plan` the App runs. Pure:
//! the history and the setup come in, a table comes out.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::hash::{SplitMix64, sample_bucket};
use super::input::{PeopleFacts, PrToAssign};
use super::policy::ReviewerPolicy;
use super::score::team_members;
use super::select::choose;
use crate::latency::BusinessCalendar;
use crate::model::Login;
use crate::model::{Principal, Tier};
use crate::slo::SloRule;

mod ladder;
mod verdict;
pub use ladder::TakenStep;
#[cfg(test)]
#[path = "simulate/tests/ladder.rs"]
mod ladder_tests;
pub use verdict::{Measure, MeasureVerdict, RedRule, Verdict};

/// One line of a history file (JSON Lines); see docs/assign.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum HistoryEvent {
    PrOpened {
        at: Timestamp,
        repo: String,
        number: u64,
        author: Login,
        tier: Tier,
        #[serde(default)]
        paths: Vec<String>,
        /// Estimated review effort in typical reviews (1.0 = a typical PR).
        #[serde(default = "typical_effort")]
        effort: f64,
        #[serde(default)]
        ai_touched: bool,
    },
    /// A review given. Only its time is replayed: whoever a strategy chose is assumed to take as
    /// long as the recorded reviewer did.
    Review { at: Timestamp, repo: String, number: u64, reviewer: Login },
    /// Someone away from `from` until `until`.
    Away { login: Login, from: Timestamp, until: Timestamp },
    /// This history is the synthetic month generated with `seed`: replay it with that month's
    /// team, policy and CODEOWNERS (`flowgate simulate-assign --write-history` writes it first).
    Synthetic { seed: u64 },
}

fn typical_effort() -> f64 {
    1.0
}

/// Writes a history as JSON Lines, one event a line, as `parse_history` reads it.
pub fn to_jsonl(events: &[HistoryEvent]) -> String {
    let mut out = String::new();
    for event in events {
        if let Ok(line) = serde_json::to_string(event) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Reads a JSON Lines history; blank lines are allowed. Errors name the line (and the column).
pub fn parse_history(text: &str) -> Result<Vec<HistoryEvent>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| line_error(i + 1, &e)))
        .collect()
}

/// serde_json counts lines within the one line it was given: "at line 1 column 80" would mislead.
fn line_error(line: usize, e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(message) => format!("line {line}: {message} (column {})", e.column()),
        None => format!("line {line}: {text}"),
    }
}

/// What the replay needs besides the history.
#[derive(Debug, Clone)]
pub struct SimSetup {
    pub policy: ReviewerPolicy,
    pub teams: BTreeMap<String, Vec<Login>>,
    /// CODEOWNERS as (path prefix, owners): a changed path is owned by the longest matching prefix.
    pub codeowners: Vec<(String, Vec<Principal>)>,
    /// Seeds the random baseline.
    pub seed: u64,
    /// How long a review takes when the history records fewer reviews than were requested, and
    /// a replacement's delay when the history records no review by them.
    pub default_delay: SignedDuration,
    /// The review SLO ladder per tier; empty: each strategy is replayed once, without.
    pub slo: BTreeMap<Tier, SloRule>,
    /// The team's working calendar: time to first response is counted in it, and it gives each
    /// reviewer without `working_hours` of their own their hours (and everyone their work week and
    /// holidays).
    pub calendar: BusinessCalendar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    Flowgate,
    RoundRobin,
    Random,
    LoadBalance,
}

impl Strategy {
    pub const ALL: [Strategy; 4] = [Strategy::Flowgate, Strategy::RoundRobin, Strategy::Random, Strategy::LoadBalance];
}

/// How one strategy did over the whole history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyResult {
    pub strategy: Strategy,
    pub requests: u32,
    /// Reviews asked of each pool member per day they were present (PRs were opened and they were
    /// not away): the most over the mean. Per day present, so that a week away is not "made up"
    /// by a flood of requests on return.
    pub max_over_mean: f64,
    /// Gini coefficient of the same per-day rates: 0 is perfectly even.
    pub gini: f64,
    /// The same two over raw counts for the whole history, ignoring absences.
    pub raw_max_over_mean: f64,
    pub raw_gini: f64,
    /// Red PRs with at least one reviewer from the red tier's first pool, over all red PRs.
    pub red_first_pool_share: f64,
    /// Requests made to someone already at their pool's capacity.
    pub over_capacity: u32,
    /// The most review requests any one person had open at once: the queue a reviewer drowns in,
    /// such as a returner asked to catch up.
    pub peak_open: u32,
    /// Reviewers the policy asked for that the strategy could not find.
    pub unfilled: u32,
    /// Whether this replay ran the SLO ladder.
    pub ladder: bool,
    /// PRs that got a first response, and the median and 90th percentile of the working time
    /// (team calendar, hours) from their opening to it; `None` without any.
    pub responded: u32,
    pub first_response_p50_hours: Option<f64>,
    pub first_response_p90_hours: Option<f64>,
    /// The ladder's steps taken: reminders, messages to a pool's channel, requests handed on.
    pub reminders: u32,
    pub channel_messages: u32,
    pub reassignments: u32,
    /// Reminders sent while the reviewer was outside their own working hours (the core holds
    /// them, so this stays 0; counted from the steps taken, not assumed).
    pub reminders_outside_hours: u32,
    /// PRs whose ladder stopped at the cap of wake-ups (`LADDER_WAKES_PER_PR`).
    pub capped: u32,
    /// Every step taken, in order: what the counts above count.
    #[serde(skip)]
    pub steps: Vec<TakenStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub prs: u32,
    pub red_prs: u32,
    pub people: u32,
    /// The red tier's first pool, whose share of red PRs is measured.
    pub red_pool: Option<String>,
    /// Each strategy without the SLO ladder.
    pub results: Vec<StrategyResult>,
    /// Each strategy with it, in the same order; empty when the setup has no ladder.
    pub with_ladder: Vec<StrategyResult>,
    /// The ladder replayed, per tier.
    #[serde(skip)]
    pub slo: BTreeMap<Tier, SloRule>,
}

impl Comparison {
    pub fn result(&self, strategy: Strategy) -> Option<&StrategyResult> {
        self.results.iter().find(|r| r.strategy == strategy)
    }
}

/// Replays `history` once per strategy and measures each.
pub fn compare(setup: &SimSetup, history: &[HistoryEvent]) -> Comparison {
    let timeline = Timeline::new(history);
    let people = population(setup);
    let red_pool = setup.policy.tiers.get(&Tier::Red).and_then(|n| n.from.first()).cloned();
    let calendars = ladder::Calendars::new(setup, &people);
    let run = |strategy: Strategy, with_ladder: bool| {
        replay(strategy, setup, &timeline, &people, red_pool.as_deref(), &calendars, with_ladder)
    };
    let results = Strategy::ALL.iter().map(|s| run(*s, false)).collect();
    let with_ladder =
        if setup.slo.is_empty() { Vec::new() } else { Strategy::ALL.iter().map(|s| run(*s, true)).collect() };
    Comparison {
        prs: timeline.prs.len() as u32,
        red_prs: timeline.prs.iter().filter(|p| p.tier == Tier::Red).count() as u32,
        people: people.len() as u32,
        red_pool,
        results,
        with_ladder,
        slo: setup.slo.clone(),
    }
}

struct SimPr {
    at: Timestamp,
    repo: String,
    number: u64,
    author: Login,
    tier: Tier,
    paths: Vec<String>,
    effort: f64,
    ai_touched: bool,
    /// How long its recorded reviews took, shortest first.
    delays: Vec<SignedDuration>,
}

struct Timeline {
    prs: Vec<SimPr>,
    away: Vec<(Login, Timestamp, Timestamp)>,
    /// Each reviewer's typical delay: the median of their recorded delays (from a PR's opening to
    /// their first review of it), what a replacement is assumed to take.
    typical: HashMap<Login, SignedDuration>,
}

impl Timeline {
    fn new(history: &[HistoryEvent]) -> Self {
        let mut prs = Vec::new();
        let mut away = Vec::new();
        let mut reviews: HashMap<(String, u64), Vec<Timestamp>> = HashMap::new();
        let mut first_by: HashMap<(String, u64), HashMap<Login, Timestamp>> = HashMap::new();
        for event in history {
            match event {
                HistoryEvent::PrOpened { at, repo, number, author, tier, paths, effort, ai_touched } => {
                    prs.push(SimPr {
                        at: *at,
                        repo: repo.clone(),
                        number: *number,
                        author: author.clone(),
                        tier: *tier,
                        paths: paths.clone(),
                        effort: if effort.is_finite() { effort.max(0.0) } else { 1.0 },
                        ai_touched: *ai_touched,
                        delays: Vec::new(),
                    })
                }
                HistoryEvent::Review { at, repo, number, reviewer } => {
                    let key = (repo.to_ascii_lowercase(), *number);
                    let first = first_by.entry(key.clone()).or_default().entry(reviewer.clone()).or_insert(*at);
                    *first = (*first).min(*at);
                    reviews.entry(key).or_default().push(*at)
                }
                HistoryEvent::Away { login, from, until } => away.push((login.clone(), *from, *until)),
                HistoryEvent::Synthetic { .. } => {}
            }
        }
        for pr in &mut prs {
            if let Some(times) = reviews.get(&(pr.repo.to_ascii_lowercase(), pr.number)) {
                pr.delays = times.iter().filter(|t| **t >= pr.at).map(|t| t.duration_since(pr.at)).collect();
                pr.delays.sort();
            }
        }
        let mut delays: HashMap<Login, Vec<SignedDuration>> = HashMap::new();
        for pr in &prs {
            for (login, at) in first_by.get(&(pr.repo.to_ascii_lowercase(), pr.number)).into_iter().flatten() {
                if *at >= pr.at {
                    delays.entry(login.clone()).or_default().push(at.duration_since(pr.at));
                }
            }
        }
        let typical = delays
            .into_iter()
            .map(|(login, mut d)| {
                d.sort();
                (login, d[(d.len() - 1) / 2])
            })
            .collect();
        prs.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.repo.cmp(&b.repo)).then(a.number.cmp(&b.number)));
        Timeline { prs, away, typical }
    }
}

/// Everyone in any pool, once, sorted.
fn population(setup: &SimSetup) -> Vec<Login> {
    let facts = PeopleFacts { teams: setup.teams.clone(), ..PeopleFacts::default() };
    let mut out: Vec<Login> = Vec::new();
    for pool in setup.policy.pools.values() {
        out.extend(pool_members(&pool.members, &facts));
    }
    out.sort_by_key(|l| l.as_str().to_ascii_lowercase());
    out.dedup();
    out
}

fn pool_members(members: &[Principal], facts: &PeopleFacts) -> Vec<Login> {
    let mut out: Vec<Login> = Vec::new();
    for m in members {
        match m.team() {
            Some(team) => out.extend(team_members(facts, team).unwrap_or_default().iter().cloned()),
            None => out.push(Login::new(m.0.as_str())),
        }
    }
    out.sort_by_key(|l| l.as_str().to_ascii_lowercase());
    out.dedup();
    out
}

/// A review request in flight.
struct Open {
    login: Login,
    done_at: Timestamp,
    effort: f64,
    /// The PR's index in the timeline, so that a reassignment withdraws this very request.
    pr: usize,
}

/// One strategy's world as the history unfolds.
struct World {
    open: Vec<Open>,
    completed: Vec<(Login, Timestamp)>,
    requested: Vec<(Login, Timestamp)>,
    asked: HashMap<Login, u32>,
    /// Areas (first two path segments) each login authored recently.
    authored: HashMap<String, HashMap<Login, u32>>,
    cursors: HashMap<String, usize>,
    rng: SplitMix64,
}

const LOAD_BALANCE_WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);

fn area(path: &str) -> String {
    path.split('/').take(2).collect::<Vec<_>>().join("/")
}

/// Requests counted as they are made: to someone at capacity, and the longest queue anyone had.
#[derive(Default)]
struct Tally {
    over_capacity: u32,
    peak_open: u32,
}

/// One request made at `now` to `login` from `pool`, answered at `done_at`: counted and put in
/// flight.
fn ask(
    setup: &SimSetup,
    world: &mut World,
    tally: &mut Tally,
    request: (Login, &str),
    pr: (usize, f64),
    times: (Timestamp, Timestamp),
) {
    let ((login, pool), (index, effort), (now, done_at)) = (request, pr, times);
    let open_now = world.open.iter().filter(|o| o.login == login).count() as u32;
    if setup.policy.pool(pool).is_some_and(|p| open_now >= p.capacity) {
        tally.over_capacity += 1;
    }
    tally.peak_open = tally.peak_open.max(open_now + 1);
    *world.asked.entry(login.clone()).or_default() += 1;
    world.requested.push((login.clone(), now));
    world.open.push(Open { login, done_at, effort, pr: index });
}

/// Moves the requests answered by `now` out of flight.
fn settle(world: &mut World, now: Timestamp) {
    let (done, open): (Vec<Open>, Vec<Open>) = world.open.drain(..).partition(|o| o.done_at <= now);
    world.open = open;
    world.completed.extend(done.into_iter().map(|o| (o.login, o.done_at)));
}

fn replay(
    strategy: Strategy,
    setup: &SimSetup,
    timeline: &Timeline,
    people: &[Login],
    red_pool: Option<&str>,
    calendars: &ladder::Calendars,
    with_ladder: bool,
) -> StrategyResult {
    let mut world = World {
        open: Vec::new(),
        completed: Vec::new(),
        requested: Vec::new(),
        asked: HashMap::new(),
        authored: HashMap::new(),
        cursors: HashMap::new(),
        rng: SplitMix64::new(setup.seed),
    };
    let teams = PeopleFacts { teams: setup.teams.clone(), ..PeopleFacts::default() };
    let red_members =
        red_pool.and_then(|p| setup.policy.pool(p)).map(|p| pool_members(&p.members, &teams)).unwrap_or_default();
    let mut ladder = ladder::Ladder::new(strategy, setup, timeline, calendars, with_ladder);
    let mut tally = Tally::default();
    let (mut red_prs, mut red_covered, mut unfilled) = (0, 0, 0);
    for (index, pr) in timeline.prs.iter().enumerate() {
        let now = pr.at;
        ladder.run_until(now, &mut world, &mut tally);
        settle(&mut world, now);

        let facts = facts(setup, &world, timeline, pr, now);
        let (chosen, missing) = match strategy {
            Strategy::Flowgate => {
                let mut to_assign = PrToAssign::new(pr.repo.clone(), pr.number, pr.author.clone(), pr.tier);
                to_assign.paths = pr.paths.clone();
                to_assign.ai_touched = pr.ai_touched;
                let a = choose(&setup.policy, &to_assign, &facts, now);
                let missing = a.needed.saturating_sub(a.requested.len() as u32);
                (a.requested.into_iter().map(|r| (r.login, r.pool)).collect::<Vec<_>>(), missing)
            }
            baseline => baseline_choice(baseline, setup, &mut world, &facts, pr, now),
        };
        unfilled += missing;
        if pr.tier == Tier::Red {
            red_prs += 1;
            if chosen.iter().any(|(l, _)| red_members.contains(l)) {
                red_covered += 1;
            }
        }
        for (i, (login, pool)) in chosen.into_iter().enumerate() {
            let delay = pr.delays.get(i).or(pr.delays.last()).copied().unwrap_or(setup.default_delay);
            let done_at = now.checked_add(delay).unwrap_or(now);
            ladder.requested(index, &login, &pool, now, done_at);
            ask(setup, &mut world, &mut tally, (login, &pool), (index, pr.effort), (now, done_at));
        }
        for a in pr.paths.iter().map(|p| area(p)) {
            *world.authored.entry(a).or_default().entry(pr.author.clone()).or_default() += 1;
        }
        ladder.opened(index, now);
    }
    ladder.run_until(Timestamp::MAX, &mut world, &mut tally);
    let counts: Vec<f64> = people.iter().map(|l| f64::from(world.asked.get(l).copied().unwrap_or(0))).collect();
    let days = present_days(timeline, people);
    let rate: Vec<f64> = counts.iter().zip(&days).filter(|(_, d)| **d > 0).map(|(c, d)| c / f64::from(*d)).collect();
    let mut result = StrategyResult {
        strategy,
        requests: counts.iter().sum::<f64>() as u32,
        max_over_mean: max_over_mean(&rate),
        gini: gini(&rate),
        raw_max_over_mean: max_over_mean(&counts),
        raw_gini: gini(&counts),
        red_first_pool_share: if red_prs == 0 { 1.0 } else { f64::from(red_covered) / f64::from(red_prs) },
        over_capacity: tally.over_capacity,
        peak_open: tally.peak_open,
        unfilled,
        ladder: with_ladder,
        responded: 0,
        first_response_p50_hours: None,
        first_response_p90_hours: None,
        reminders: 0,
        channel_messages: 0,
        reassignments: 0,
        reminders_outside_hours: 0,
        capped: 0,
        steps: Vec::new(),
    };
    ladder.finish(&mut result);
    result
}

/// What flowgate would know at `now`: the same facts feed the baselines' exclusions.
fn facts(setup: &SimSetup, world: &World, timeline: &Timeline, pr: &SimPr, now: Timestamp) -> PeopleFacts {
    let mut facts = PeopleFacts { teams: setup.teams.clone(), ..PeopleFacts::default() };
    for path in &pr.paths {
        let owners = setup
            .codeowners
            .iter()
            .filter(|(prefix, _)| path.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len());
        if let Some((_, owners)) = owners {
            facts.codeowners.insert(path.clone(), owners.clone());
        }
    }
    let mut areas: Vec<String> = pr.paths.iter().map(|p| area(p)).collect();
    areas.sort();
    areas.dedup();
    for a in &areas {
        for (login, n) in world.authored.get(a).into_iter().flatten() {
            *facts.expertise.entry(login.clone()).or_default() += n;
        }
    }
    for o in &world.open {
        let load = facts.load.entry(o.login.clone()).or_default();
        load.requests += 1;
        load.effort += o.effort;
    }
    let fairness_window = SignedDuration::from_hours(i64::from(setup.policy.fairness_weeks) * 7 * 24);
    for (login, at) in &world.completed {
        if now.duration_since(*at) <= fairness_window {
            *facts.reviews_given.entry(login.clone()).or_default() += 1;
        }
    }
    for (login, at) in &world.requested {
        let last = facts.last_requested.entry(login.clone()).or_insert(*at);
        *last = (*last).max(*at);
    }
    for (login, from, until) in &timeline.away {
        if *from <= now && now < *until {
            facts.away_until.insert(login.clone(), *until);
        }
    }
    facts
}

/// A baseline's choice: the tier's count from its pools, plus the spot check when sampled, by the
/// baseline's own rule. Baselines skip the author and people away or unavailable, as GitHub's
/// auto-assignment skips busy members, but know nothing of load, capacity or first pools.
fn baseline_choice(
    strategy: Strategy,
    setup: &SimSetup,
    world: &mut World,
    facts: &PeopleFacts,
    pr: &SimPr,
    now: Timestamp,
) -> (Vec<(Login, String)>, u32) {
    let policy = &setup.policy;
    let mut needs: Vec<(u32, &[String])> = Vec::new();
    if let Some(need) = policy.tiers.get(&pr.tier).filter(|n| n.request > 0) {
        needs.push((need.request, &need.from));
    }
    if let Some(spot) = &policy.spot_check
        && pr.ai_touched
        && sample_bucket(&pr.repo, pr.number) < spot.percent
    {
        needs.push((1, &spot.from));
    }
    let mut chosen: Vec<(Login, String)> = Vec::new();
    let mut missing = 0;
    for (count, pools) in needs {
        for _ in 0..count {
            let taken: Vec<Login> = chosen.iter().map(|(l, _)| l.clone()).collect();
            match baseline_pick(strategy, policy, world, facts, &pr.author, pools, &taken, now) {
                Some(pick) => chosen.push(pick),
                None => missing += 1,
            }
        }
    }
    (chosen, missing)
}

/// One reviewer from `pools` by the baseline's own rule, passing over the author, bots, people
/// away or unavailable and `taken`; `None` when nobody is left.
#[allow(clippy::too_many_arguments)]
fn baseline_pick(
    strategy: Strategy,
    policy: &ReviewerPolicy,
    world: &mut World,
    facts: &PeopleFacts,
    author: &Login,
    pools: &[String],
    taken: &[Login],
    now: Timestamp,
) -> Option<(Login, String)> {
    let mut candidates: Vec<(Login, String)> = Vec::new();
    for name in pools {
        let Some(pool) = policy.pool(name) else { continue };
        for login in pool_members(&pool.members, facts) {
            if !candidates.iter().any(|(l, _)| *l == login) {
                candidates.push((login, name.clone()));
            }
        }
    }
    let key = pools.join(",");
    let eligible: Vec<&(Login, String)> = candidates
        .iter()
        .filter(|(l, _)| {
            l != author
                && !l.is_bot()
                && !policy.unavailable.contains(l)
                && !facts.away_until.contains_key(l)
                && !taken.contains(l)
        })
        .collect();
    if eligible.is_empty() {
        return None;
    }
    match strategy {
        Strategy::RoundRobin => {
            // The cursor walks the whole pool list, passing over whoever is excluded now.
            let cursor = world.cursors.entry(key).or_insert(0);
            for step in 0..candidates.len() {
                let c = &candidates[(*cursor + step) % candidates.len()];
                if eligible.iter().any(|e| e.0 == c.0) {
                    *cursor = (*cursor + step + 1) % candidates.len();
                    return Some(c.clone());
                }
            }
            None
        }
        Strategy::Random => Some(eligible[world.rng.below(eligible.len() as u64) as usize].clone()),
        Strategy::LoadBalance | Strategy::Flowgate => eligible
            .iter()
            .min_by_key(|(l, _)| {
                let recent = world
                    .requested
                    .iter()
                    .filter(|(r, at)| r == l && now.duration_since(*at) <= LOAD_BALANCE_WINDOW)
                    .count();
                let open = facts.load.get(l).map_or(0, |o| o.requests);
                (recent, open, l.as_str().to_ascii_lowercase())
            })
            .map(|c| (*c).clone()),
    }
}

/// For each person, the days on which PRs were opened and they were not away.
fn present_days(timeline: &Timeline, people: &[Login]) -> Vec<u32> {
    let mut days: Vec<jiff::civil::Date> =
        timeline.prs.iter().map(|p| p.at.to_zoned(jiff::tz::TimeZone::UTC).date()).collect();
    days.dedup();
    people
        .iter()
        .map(|login| {
            days.iter()
                .filter(|day| {
                    let noon = day.at(12, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp());
                    !timeline
                        .away
                        .iter()
                        .any(|(l, from, until)| l == login && noon.as_ref().is_ok_and(|t| *from <= *t && *t < *until))
                })
                .count() as u32
        })
        .collect()
}

#[cfg(test)]
impl StrategyResult {
    /// A row with nothing counted, for tests that set the figures they check.
    pub(crate) fn blank(strategy: Strategy) -> StrategyResult {
        StrategyResult {
            strategy,
            requests: 0,
            max_over_mean: 0.0,
            gini: 0.0,
            raw_max_over_mean: 0.0,
            raw_gini: 0.0,
            red_first_pool_share: 0.0,
            over_capacity: 0,
            peak_open: 0,
            unfilled: 0,
            ladder: false,
            responded: 0,
            first_response_p50_hours: None,
            first_response_p90_hours: None,
            reminders: 0,
            channel_messages: 0,
            reassignments: 0,
            reminders_outside_hours: 0,
            capped: 0,
            steps: Vec::new(),
        }
    }
}

/// The largest value over the mean: 1 when everyone has the same.
pub fn max_over_mean(values: &[f64]) -> f64 {
    let total: f64 = values.iter().sum();
    if values.is_empty() || total <= 0.0 {
        return 0.0;
    }
    values.iter().copied().fold(0.0, f64::max) / (total / values.len() as f64)
}

/// 0 when everyone has the same, towards 1 when one person has everything.
pub fn gini(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let total: f64 = values.iter().sum();
    if values.is_empty() || total <= 0.0 {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let weighted: f64 = sorted.iter().enumerate().map(|(i, x)| (i as f64 + 1.0) * x).sum();
    2.0 * weighted / (n * total) - (n + 1.0) / n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::synthetic::synthetic_month;

    /// The synthetic month flowgate is judged on. Seed 7 was the first one tried. Across seeds
    /// 1 to 12, flowgate's per-day Gini beats GitHub's load balance in 11 and its max/mean and
    /// peak open queue in all 12; on raw monthly counts load balance is always the more even,
    /// because it evens out exactly that count, catching up on people back from leave. Round-robin
    /// and random lose on every seed.
    #[test]
    fn flowgate_spreads_load_better_than_every_baseline_and_keeps_the_red_rule() {
        let (setup, events) = synthetic_month(7);
        let comparison = compare(&setup, &events);
        println!("{}", crate::wording::simulate::comparison_table(&comparison));
        assert!((250..=400).contains(&comparison.prs), "a few hundred PRs: {}", comparison.prs);
        assert_eq!(comparison.people, 12);
        let flowgate = comparison.result(Strategy::Flowgate).expect("flowgate's row");
        assert_eq!(flowgate.red_first_pool_share, 1.0, "every red PR has a security reviewer");
        for baseline in [Strategy::RoundRobin, Strategy::Random, Strategy::LoadBalance] {
            let other = comparison.result(baseline).expect("the baseline's row");
            assert!(
                flowgate.gini < other.gini,
                "Gini against {}: {flowgate:?} vs {other:?}",
                crate::wording::simulate::strategy(baseline)
            );
            assert!(
                flowgate.max_over_mean < other.max_over_mean,
                "max/mean against {}: {flowgate:?} vs {other:?}",
                crate::wording::simulate::strategy(baseline)
            );
            assert!(
                flowgate.over_capacity < other.over_capacity,
                "over capacity against {}",
                crate::wording::simulate::strategy(baseline)
            );
            assert!(
                flowgate.peak_open < other.peak_open,
                "peak open queue against {}",
                crate::wording::simulate::strategy(baseline)
            );
            assert!(
                other.red_first_pool_share < 1.0,
                "{} happens to keep the red rule",
                crate::wording::simulate::strategy(baseline)
            );
        }
    }

    #[test]
    fn round_robin_and_random_lose_on_every_seed() {
        for seed in 1..=6 {
            let (setup, events) = synthetic_month(seed);
            let c = compare(&setup, &events);
            let flowgate = c.result(Strategy::Flowgate).expect("flowgate's row");
            for baseline in [Strategy::RoundRobin, Strategy::Random] {
                let other = c.result(baseline).expect("the baseline's row");
                assert!(flowgate.gini < other.gini && flowgate.max_over_mean < other.max_over_mean, "seed {seed}");
            }
            assert_eq!(flowgate.red_first_pool_share, 1.0, "seed {seed}");
        }
    }

    #[test]
    fn the_comparison_is_repeatable_and_the_history_round_trips() {
        let (setup, events) = synthetic_month(3);
        assert_eq!(synthetic_month(3).1, events);
        assert_ne!(synthetic_month(4).1, events);
        let text = to_jsonl(&events);
        assert_eq!(parse_history(&text).unwrap(), events);
        assert_eq!(compare(&setup, &events), compare(&setup, &parse_history(&text).unwrap()));
        use crate::wording::simulate::comparison_table as table;
        assert_eq!(table(&compare(&setup, &events)), table(&compare(&setup, &events)));
    }

    #[test]
    fn a_bad_history_line_is_named() {
        let text = r#"{"event":"pr_opened","at":"2025-03-03T09:00:00Z","repo":"a/b","number":1,"author":"x","tier":"red"}

{"event":"review","at":"2025-03-03T10:00:00Z","repo":"a/b","number":1,"reviewr":"y"}
"#;
        let e = parse_history(text).unwrap_err();
        assert!(e.starts_with("line 3:") && e.contains("reviewr"), "{e}");
        let one = parse_history(text.lines().next().unwrap()).unwrap();
        assert!(matches!(&one[0], HistoryEvent::PrOpened { effort, paths, .. } if *effort == 1.0 && paths.is_empty()));
    }

    #[test]
    fn gini_and_max_over_mean() {
        assert_eq!(gini(&[1.0, 1.0, 1.0]), 0.0);
        assert!((gini(&[0.0, 0.0, 0.0, 4.0]) - 0.75).abs() < 1e-12);
        assert_eq!(gini(&[]), 0.0);
        assert_eq!(max_over_mean(&[1.0, 3.0]), 1.5);
        assert_eq!(max_over_mean(&[0.0, 0.0]), 0.0);
    }
}
