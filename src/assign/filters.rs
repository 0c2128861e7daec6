//! The filter pipeline: each filter may reject a candidate with a named reason, and the first
//! rejection is the one reported. Capacity comes last, so that a pool whose only obstacle is
//! load can still be drawn from when it is saturated.

use jiff::Timestamp;
use serde::Serialize;

use super::input::{PeopleFacts, PrToAssign};
use super::policy::{Pool, ReviewerPolicy, WorkingHours};
use crate::model::Login;
use crate::model::Tier;

/// Why a candidate was not requested.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "filter", rename_all = "snake_case")]
pub enum SkipReason {
    Author,
    Committer,
    Bot,
    AlreadyRequested,
    AlreadyReviewed,
    RemovedThemselves,
    /// `/flowgate reassign` is replacing them.
    BeingReplaced,
    Unavailable,
    Away {
        until: Timestamp,
    },
    /// GitHub's status says they have limited availability ("busy"), until a time if it expires.
    Busy {
        until: Option<Timestamp>,
    },
    /// An urgent request at `local_time` where they are, outside their `hours`.
    OutsideWorkingHours {
        hours: WorkingHours,
        local_time: jiff::civil::Time,
    },
    AtCapacity {
        open: u32,
        capacity: u32,
    },
}

/// Everything a filter may look at.
pub struct Context<'a> {
    pub policy: &'a ReviewerPolicy,
    pub pr: &'a PrToAssign,
    pub people: &'a PeopleFacts,
    pub now: Timestamp,
    pub replacing: &'a [Login],
}

impl Context<'_> {
    /// Red PRs are urgent: they may only go to people within their working hours.
    pub fn urgent(&self) -> bool {
        self.pr.tier == Tier::Red
    }

    pub fn open_requests(&self, login: &Login) -> u32 {
        self.people.load.get(login).map_or(0, |l| l.requests)
    }
}

type Filter = fn(&Login, &Pool, &Context) -> Option<SkipReason>;

/// In the order they run.
const PIPELINE: &[Filter] = &[
    author,
    committer,
    bot,
    already_requested,
    already_reviewed,
    removed_themselves,
    being_replaced,
    unavailable,
    away,
    busy,
    outside_working_hours,
    at_capacity,
];

/// The first filter that rejects `login` as a member of `pool`, or `None` when it may be requested.
pub fn rejects(login: &Login, pool: &Pool, ctx: &Context) -> Option<SkipReason> {
    PIPELINE.iter().find_map(|filter| filter(login, pool, ctx))
}

fn author(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    (*login == ctx.pr.author).then_some(SkipReason::Author)
}

fn committer(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    ctx.pr.committers.contains(login).then_some(SkipReason::Committer)
}

fn bot(login: &Login, _: &Pool, _: &Context) -> Option<SkipReason> {
    login.is_bot().then_some(SkipReason::Bot)
}

fn already_requested(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    ctx.pr.requested_users.contains(login).then_some(SkipReason::AlreadyRequested)
}

fn already_reviewed(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    ctx.pr.reviewed_by.contains(login).then_some(SkipReason::AlreadyReviewed)
}

fn removed_themselves(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    ctx.pr.removed_themselves.contains(login).then_some(SkipReason::RemovedThemselves)
}

fn being_replaced(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    ctx.replacing.contains(login).then_some(SkipReason::BeingReplaced)
}

fn unavailable(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    ctx.policy.unavailable.contains(login).then_some(SkipReason::Unavailable)
}

fn away(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    let until = *ctx.people.away_until.get(login)?;
    (until > ctx.now).then_some(SkipReason::Away { until })
}

fn busy(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    let until = *ctx.people.busy.get(login)?;
    until.is_none_or(|until| until > ctx.now).then_some(SkipReason::Busy { until })
}

fn outside_working_hours(login: &Login, _: &Pool, ctx: &Context) -> Option<SkipReason> {
    if !ctx.urgent() {
        return None;
    }
    let hours = ctx.policy.hours_of(login)?;
    let (inside, local_time) = hours.check(ctx.now);
    (!inside).then(|| SkipReason::OutsideWorkingHours { hours: hours.clone(), local_time })
}

fn at_capacity(login: &Login, pool: &Pool, ctx: &Context) -> Option<SkipReason> {
    let open = ctx.open_requests(login);
    (open >= pool.capacity).then_some(SkipReason::AtCapacity { open, capacity: pool.capacity })
}
