//! The selection: expand pools, lay out the needs (the tier's first pool, the spot check, the
//! rest of the count), let reviewers already present fill what they can, then fill each open
//! need with the best-scoring candidate that passes every filter.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use jiff::Timestamp;

use super::filters::{Context, SkipReason, rejects};
use super::hash::{sample_bucket, tie_break};
use super::input::{PeopleFacts, PrToAssign};
use super::output::{Assignment, Counted, LocalHours, Problem, ProblemKind, Requested, Role, Skipped, SpotCheck};
use super::policy::{Pool, ReviewerPolicy};
use super::score::{Score, score, team_members};
use crate::model::Login;

/// Chooses whom to request for `pr`. The same arguments always give the same answer, whatever
/// order their lists and maps are in.
pub fn choose(policy: &ReviewerPolicy, pr: &PrToAssign, people: &PeopleFacts, now: Timestamp) -> Assignment {
    run(&Context { policy, pr, people, now, replacing: &[] })
}

/// `/flowgate reassign`: chooses again as if `replace` had never been requested, and never
/// chooses them. The caller withdraws their requests and makes the new ones.
pub fn reassign(
    policy: &ReviewerPolicy,
    pr: &PrToAssign,
    people: &PeopleFacts,
    now: Timestamp,
    replace: &[Login],
) -> Assignment {
    let mut pr = pr.clone();
    pr.requested_users.retain(|login| !replace.contains(login));
    run(&Context { policy, pr: &pr, people, now, replacing: replace })
}

struct Slot {
    role: Role,
    pools: Vec<String>,
}

/// A reviewer already on the PR: a user who is requested or reviewed, or a requested team.
enum Present {
    User(Login),
    Team(String),
}

impl Present {
    fn name(&self) -> String {
        match self {
            Present::User(login) => login.to_string(),
            Present::Team(team) => team.clone(),
        }
    }
}

/// A candidate who passed the filters (or, when saturated, failed only on capacity).
struct Candidate<'a> {
    login: Login,
    pool: &'a Pool,
    score: Score,
    over_by: i64,
}

fn run(ctx: &Context) -> Assignment {
    let policy = ctx.policy;
    let pr = ctx.pr;
    let need = policy.tiers.get(&pr.tier);
    let tier_request = need.map_or(0, |n| n.request);
    let spot_check = spot_check(ctx);

    let mut slots = Vec::new();
    if let Some(need) = need.filter(|n| n.request > 0 && !n.from.is_empty()) {
        slots.push(Slot { role: Role::FirstPool, pools: vec![need.from[0].clone()] });
    }
    if spot_check.sampled {
        slots.push(Slot { role: Role::SpotCheck, pools: spot_check.pools.clone() });
    }
    if let Some(need) = need {
        for _ in 1..need.request {
            slots.push(Slot { role: Role::Tier, pools: need.from.clone() });
        }
    }

    let mut problems = Vec::new();
    let mut members: BTreeMap<String, Vec<Login>> = BTreeMap::new();
    for name in slots.iter().flat_map(|s| s.pools.iter()) {
        if members.contains_key(name) {
            continue;
        }
        let Some(pool) = policy.pool(name) else { continue };
        members.insert(name.clone(), expand(pool, ctx, &mut problems));
    }

    let present = present(pr);
    let filled = fill_with_present(&slots, &present, &members, policy);
    let counted = filled
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| Counted { who: present[p].name(), role: slots[i].role }))
        .collect();

    let fewest_given = members
        .values()
        .flatten()
        .map(|login| ctx.people.reviews_given.get(login).copied().unwrap_or(0))
        .min()
        .unwrap_or(0);
    let mut requested: Vec<Requested> = Vec::new();
    let mut rejected: Vec<(Login, String, SkipReason)> = Vec::new();
    let mut eligible_somewhere: Vec<Login> = Vec::new();
    for (slot, _) in slots.iter().zip(&filled).filter(|(_, f)| f.is_none()) {
        let chosen: Vec<Login> = requested.iter().map(|r| r.login.clone()).collect();
        let mut eligible = Vec::new();
        let mut over = Vec::new();
        let mut rejected_here = Vec::new();
        for login in candidates(slot, &members) {
            if chosen.contains(&login) {
                continue;
            }
            match evaluate(&login, slot, ctx, fewest_given) {
                Ok(candidate) => {
                    eligible_somewhere.push(login);
                    eligible.push(candidate);
                }
                Err((pool, why)) => {
                    rejected_here.push((login.clone(), why.clone()));
                    if matches!(why, SkipReason::AtCapacity { .. })
                        && let Some(candidate) = at_capacity(&login, slot, ctx, fewest_given)
                    {
                        over.push(candidate);
                    }
                    rejected.push((login, pool, why));
                }
            }
        }
        let pick = if eligible.is_empty() {
            over.sort_by(|a, b| a.over_by.cmp(&b.over_by).then_with(|| rank(a, b, ctx)));
            over.into_iter().next().map(|c| (c, true))
        } else {
            eligible.sort_by(|a, b| rank(a, b, ctx));
            eligible.into_iter().next().map(|c| (c, false))
        };
        match pick {
            Some((candidate, over_capacity)) => requested.push(request(candidate, slot.role, over_capacity, ctx)),
            None => {
                let what =
                    ProblemKind::Unfilled { role: slot.role, pools: slot.pools.clone(), rejected: rejected_here };
                problems.push(Problem { what });
            }
        }
    }

    let mut skipped: Vec<Skipped> = Vec::new();
    for (login, pool, why) in rejected {
        let chosen = requested.iter().any(|r| r.login == login);
        if chosen || eligible_somewhere.contains(&login) || skipped.iter().any(|s| s.login == login) {
            continue;
        }
        skipped.push(Skipped { login, pool, why });
    }
    skipped.sort_by_key(|s| s.login.as_str().to_ascii_lowercase());

    let saturated_pools = members
        .iter()
        .filter(|(name, logins)| {
            let Some(pool) = policy.pool(name) else { return false };
            let verdicts: Vec<Option<SkipReason>> = logins.iter().map(|l| rejects(l, pool, ctx)).collect();
            verdicts.iter().any(|v| matches!(v, Some(SkipReason::AtCapacity { .. })))
                && !verdicts.iter().any(Option::is_none)
        })
        .map(|(name, _)| name.clone())
        .collect();

    Assignment {
        repo: pr.repo.clone(),
        number: pr.number,
        tier: pr.tier,
        tier_request,
        needed: slots.len() as u32,
        counted,
        requested,
        skipped,
        saturated_pools,
        spot_check,
        problems,
        notes: ctx.people.unknown.clone(),
        review_window_weeks: ctx.people.review_window_weeks,
    }
}

fn spot_check(ctx: &Context) -> SpotCheck {
    let bucket = sample_bucket(&ctx.pr.repo, ctx.pr.number);
    let rule = ctx.policy.spot_check.as_ref();
    SpotCheck {
        ai_touched: ctx.pr.ai_touched,
        percent: rule.map(|r| r.percent),
        bucket,
        sampled: ctx.pr.ai_touched && rule.is_some_and(|r| bucket < r.percent),
        pools: rule.map(|r| r.from.clone()).unwrap_or_default(),
    }
}

/// A pool's people: logins as written, teams through the membership the caller knows. Sorted
/// and without repeats, so the order members were listed in never matters.
fn expand(pool: &Pool, ctx: &Context, problems: &mut Vec<Problem>) -> Vec<Login> {
    let problem = |what: ProblemKind| Problem { what };
    let mut out: Vec<Login> = Vec::new();
    for member in &pool.members {
        match member.team() {
            Some(team) => match team_members(ctx.people, team) {
                Some(logins) if !logins.is_empty() => out.extend(logins.iter().cloned()),
                _ => {
                    problems.push(problem(ProblemKind::TeamWithoutMembers {
                        pool: pool.name.clone(),
                        team: team.to_string(),
                    }));
                }
            },
            None => out.push(Login::new(member.0.as_str())),
        }
    }
    out.sort_by_key(|l| l.as_str().to_ascii_lowercase());
    out.dedup();
    if out.is_empty() {
        problems.push(problem(ProblemKind::EmptyPool { pool: pool.name.clone() }));
    }
    out
}

fn present(pr: &PrToAssign) -> Vec<Present> {
    let mut users: Vec<Login> =
        pr.requested_users.iter().chain(&pr.reviewed_by).filter(|l| !l.is_bot() && **l != pr.author).cloned().collect();
    users.sort_by_key(|l| l.as_str().to_ascii_lowercase());
    users.dedup();
    let mut teams: Vec<String> = pr.requested_teams.clone();
    teams.sort_by_key(|t| t.to_ascii_lowercase());
    teams.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    users.into_iter().map(Present::User).chain(teams.into_iter().map(Present::Team)).collect()
}

fn fits(present: &Present, pools: &[String], members: &BTreeMap<String, Vec<Login>>, policy: &ReviewerPolicy) -> bool {
    pools.iter().any(|name| match present {
        Present::User(login) => members.get(name).is_some_and(|m| m.contains(login)),
        Present::Team(team) => {
            policy.pool(name).is_some_and(|p| p.members.iter().any(|m| m.0.eq_ignore_ascii_case(team)))
        }
    })
}

/// Which present reviewer fills which need. Needs tied to a pool go first, and a reviewer who
/// could also fill a later pool's need is kept for it when another will do.
fn fill_with_present(
    slots: &[Slot],
    present: &[Present],
    members: &BTreeMap<String, Vec<Login>>,
    policy: &ReviewerPolicy,
) -> Vec<Option<usize>> {
    let mut used = vec![false; present.len()];
    let mut filled = vec![None; slots.len()];
    for (i, slot) in slots.iter().enumerate().filter(|(_, s)| s.role != Role::Tier) {
        let later: Vec<String> =
            slots[i + 1..].iter().filter(|s| s.role != Role::Tier).flat_map(|s| s.pools.clone()).collect();
        let fitting = |p: &usize| !used[*p] && fits(&present[*p], &slot.pools, members, policy);
        let pick = (0..present.len())
            .filter(fitting)
            .find(|p| !fits(&present[*p], &later, members, policy))
            .or_else(|| (0..present.len()).find(fitting));
        if let Some(p) = pick {
            used[p] = true;
            filled[i] = Some(p);
        }
    }
    for (i, slot) in slots.iter().enumerate() {
        if slot.role == Role::Tier
            && let Some(p) = (0..present.len()).find(|p| !used[*p])
        {
            used[p] = true;
            filled[i] = Some(p);
        }
    }
    filled
}

/// The slot's people, each once, in the order of its pools.
fn candidates(slot: &Slot, members: &BTreeMap<String, Vec<Login>>) -> Vec<Login> {
    let mut out: Vec<Login> = Vec::new();
    for login in slot.pools.iter().filter_map(|p| members.get(p)).flatten() {
        if !out.contains(login) {
            out.push(login.clone());
        }
    }
    out
}

/// The candidate as a member of the first of the slot's pools that accepts them, or the first
/// rejection (every filter but capacity rejects in all pools alike).
fn evaluate<'a>(
    login: &Login,
    slot: &Slot,
    ctx: &Context<'a>,
    fewest_given: u32,
) -> Result<Candidate<'a>, (String, SkipReason)> {
    let mut first: Option<(String, SkipReason)> = None;
    for pool in slot.pools.iter().filter_map(|p| ctx.policy.pool(p)) {
        if !contains(ctx, pool, login) {
            continue;
        }
        match rejects(login, pool, ctx) {
            None => {
                return Ok(Candidate {
                    login: login.clone(),
                    pool,
                    score: score(login, pool, ctx, fewest_given),
                    over_by: 0,
                });
            }
            Some(why) => {
                first.get_or_insert((pool.name.clone(), why));
            }
        }
    }
    // Candidates come from the slot's pools, so some pool always holds them; were none to, the
    // person could not be asked from here, which is what being unavailable means.
    Err(first.unwrap_or_else(|| (String::new(), SkipReason::Unavailable)))
}

/// The candidate in whichever of the slot's pools they are least over capacity.
fn at_capacity<'a>(login: &Login, slot: &Slot, ctx: &Context<'a>, fewest_given: u32) -> Option<Candidate<'a>> {
    let open = i64::from(ctx.open_requests(login));
    slot.pools
        .iter()
        .filter_map(|p| ctx.policy.pool(p))
        .filter(|pool| contains(ctx, pool, login))
        .filter(|pool| matches!(rejects(login, pool, ctx), Some(SkipReason::AtCapacity { .. })))
        .min_by_key(|pool| open - i64::from(pool.capacity))
        .map(|pool| Candidate {
            login: login.clone(),
            pool,
            score: score(login, pool, ctx, fewest_given),
            over_by: open - i64::from(pool.capacity),
        })
}

fn contains(ctx: &Context, pool: &Pool, login: &Login) -> bool {
    pool.members.iter().any(|m| match m.team() {
        Some(team) => team_members(ctx.people, team).is_some_and(|ms| ms.contains(login)),
        None => Login::new(m.0.as_str()) == *login,
    })
}

/// Best first: higher score, then the least recently requested, then a hash of the PR and login
/// that spreads ties without favouring anyone alphabetically.
fn rank(a: &Candidate, b: &Candidate, ctx: &Context) -> Ordering {
    let last = |c: &Candidate| ctx.people.last_requested.get(&c.login).copied();
    let hash = |c: &Candidate| tie_break(&ctx.pr.repo, ctx.pr.number, c.login.as_str());
    b.score
        .total
        .total_cmp(&a.score.total)
        .then_with(|| last(a).cmp(&last(b)))
        .then_with(|| hash(a).cmp(&hash(b)))
        .then_with(|| a.login.as_str().to_ascii_lowercase().cmp(&b.login.as_str().to_ascii_lowercase()))
}

fn request(candidate: Candidate, role: Role, over_capacity: bool, ctx: &Context) -> Requested {
    let hours = if ctx.urgent() {
        ctx.policy.hours_of(&candidate.login).map(|h| LocalHours { local_time: h.check(ctx.now).1, hours: h.clone() })
    } else {
        None
    };
    Requested {
        hours,
        login: candidate.login,
        pool: candidate.pool.name.clone(),
        role,
        over_capacity,
        score: candidate.score,
    }
}
