//! The review SLO ladder in the replay: each PR's requests are watched as the App watches them,
//! and at every simulated moment (a PR's opening, and each `next_wake` the plan asks for)
//! `slo::plan` decides what is due, in each reviewer's own working hours. The model of effect
//! (docs/assign.md): a reminder or a channel message changes nobody's answer (the conservative
//! reading); a reassignment withdraws the request and hands it to the next-best reviewer by the
//! strategy's own rule at that moment, who answers after their own typical delay. The first
//! response is the earliest answer among the PR's requests still standing. Bounded: a PR's ladder
//! wakes at most `LADDER_WAKES_PER_PR` times.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use jiff::Timestamp;

use super::{
    Login, PeopleFacts, PrToAssign, SimSetup, Strategy, StrategyResult, Tally, Timeline, World, ask, baseline_pick,
    facts, settle,
};
use crate::assign::select::reassign;
use crate::latency::BusinessCalendar;
use crate::slo::{Candidate, Sent, Step, plan};

/// The most times one PR's ladder is looked at: each request has at most three steps, each
/// postponed at most once to the reviewer's next working hours, and a PR has a few requests.
pub const LADDER_WAKES_PER_PR: u32 = 64;

/// A step the ladder took in the replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenStep {
    pub repo: String,
    pub number: u64,
    pub login: Login,
    pub step: Step,
    pub at: Timestamp,
    /// The reviewer who took the request over, for a reassignment that found one.
    pub to: Option<Login>,
}

/// Everyone's working calendar: their own `working_hours` with the team's week and holidays,
/// else the team calendar.
pub(super) struct Calendars {
    team: BusinessCalendar,
    people: HashMap<Login, BusinessCalendar>,
}

impl Calendars {
    pub(super) fn new(setup: &SimSetup, people: &[Login]) -> Self {
        let team = setup.calendar.clone();
        let people = people
            .iter()
            .filter_map(|login| setup.policy.hours_of(login).map(|h| (login.clone(), h.calendar(&team))))
            .collect();
        Calendars { team, people }
    }

    fn of(&self, login: &Login) -> &BusinessCalendar {
        self.people.get(login).unwrap_or(&self.team)
    }
}

/// One review request of a PR, as the ladder sees it.
struct Request {
    login: Login,
    pool: String,
    /// When its wait began: the request.
    since: Timestamp,
    answer_at: Timestamp,
    /// Handed to someone else: it will not be answered.
    withdrawn: bool,
}

#[derive(Default)]
struct Watched {
    requests: Vec<Request>,
    sent: Vec<Sent>,
    wakes: u32,
}

/// One strategy's ladder over the whole replay.
pub(super) struct Ladder<'a> {
    strategy: Strategy,
    setup: &'a SimSetup,
    timeline: &'a Timeline,
    calendars: &'a Calendars,
    on: bool,
    prs: Vec<Watched>,
    wakes: BinaryHeap<Reverse<(Timestamp, usize)>>,
    steps: Vec<TakenStep>,
    capped: u32,
}

impl<'a> Ladder<'a> {
    pub(super) fn new(
        strategy: Strategy,
        setup: &'a SimSetup,
        timeline: &'a Timeline,
        calendars: &'a Calendars,
        on: bool,
    ) -> Self {
        let prs = timeline.prs.iter().map(|_| Watched::default()).collect();
        Ladder { strategy, setup, timeline, calendars, on, prs, wakes: BinaryHeap::new(), steps: Vec::new(), capped: 0 }
    }

    /// A request made on PR `index` (with or without the ladder: the first response needs it).
    pub(super) fn requested(
        &mut self,
        index: usize,
        login: &Login,
        pool: &str,
        since: Timestamp,
        answer_at: Timestamp,
    ) {
        if let Some(watched) = self.prs.get_mut(index) {
            watched.requests.push(Request {
                login: login.clone(),
                pool: pool.to_string(),
                since,
                answer_at,
                withdrawn: false,
            });
        }
    }

    /// PR `index` opened at `now` with its requests made: its ladder is looked at now.
    pub(super) fn opened(&mut self, index: usize, now: Timestamp) {
        if self.on {
            self.wakes.push(Reverse((now, index)));
        }
    }

    /// Takes every look due up to `until`, in time order.
    pub(super) fn run_until(&mut self, until: Timestamp, world: &mut World, tally: &mut Tally) {
        while let Some(Reverse((at, index))) = self.wakes.peek().copied() {
            if at > until {
                return;
            }
            self.wakes.pop();
            self.look(index, at, world, tally);
        }
    }

    /// The plan for PR `index` at `now`, carried out.
    fn look(&mut self, index: usize, now: Timestamp, world: &mut World, tally: &mut Tally) {
        let (setup, timeline, calendars) = (self.setup, self.timeline, self.calendars);
        let Some(pr) = timeline.prs.get(index) else { return };
        let Some(rule) = setup.slo.get(&pr.tier) else { return };
        let Some(watched) = self.prs.get_mut(index) else { return };
        watched.wakes += 1;
        if watched.wakes > LADDER_WAKES_PER_PR {
            self.capped += 1;
            return;
        }
        settle(world, now);
        let away = |login: &Login| {
            setup.policy.unavailable.contains(login)
                || timeline.away.iter().any(|(l, from, until)| l == login && *from <= now && now < *until)
        };
        let candidates: Vec<Candidate<'_>> = watched
            .requests
            .iter()
            .filter(|r| !r.withdrawn && r.answer_at > now)
            .map(|r| Candidate {
                login: r.login.clone(),
                since: r.since,
                calendar: calendars.of(&r.login),
                unavailable: away(&r.login),
                pool: Some(r.pool.clone()),
            })
            .collect();
        let plan = plan(rule, &candidates, &watched.sent, now);
        // What was taken or skipped is recorded, so that it is never planned again.
        let settled = plan.held.iter().filter(|(_, held)| held.settles()).map(|(due, _)| due);
        for due in settled.chain(&plan.act) {
            watched.sent.push(Sent { login: due.login.clone(), step: due.step, period: due.period });
        }
        let mut handed_on = false;
        for due in plan.act {
            let to = if due.step == Step::Reassign { self.hand_on(index, &due.login, now, world, tally) } else { None };
            handed_on |= to.is_some();
            self.steps.push(TakenStep {
                repo: pr.repo.clone(),
                number: pr.number,
                login: due.login,
                step: due.step,
                at: now,
                to,
            });
        }
        // A wake never goes back in time, so the replay always moves on. A new request (a
        // replacement's) starts its own ladder: the PR is looked at again at once.
        let later = now.checked_add(jiff::SignedDuration::from_secs(1)).unwrap_or(now);
        let wake = if handed_on { Some(later) } else { plan.next_wake.map(|w| w.max(later)) };
        if let Some(wake) = wake {
            self.wakes.push(Reverse((wake, index)));
        }
    }

    /// Reassignment: the next-best reviewer by the strategy's own rule now takes `login`'s
    /// request, answering after their typical delay. Nobody to take it: the request stays.
    fn hand_on(
        &mut self,
        index: usize,
        login: &Login,
        now: Timestamp,
        world: &mut World,
        tally: &mut Tally,
    ) -> Option<Login> {
        let (setup, timeline) = (self.setup, self.timeline);
        let pr = timeline.prs.get(index)?;
        let watched = self.prs.get(index)?;
        let position = watched.requests.iter().position(|r| !r.withdrawn && &r.login == login)?;
        let pool = watched.requests[position].pool.clone();
        let standing: Vec<&Request> = watched.requests.iter().filter(|r| !r.withdrawn).collect();
        let people: PeopleFacts = facts(setup, world, timeline, pr, now);
        let replacement = match self.strategy {
            Strategy::Flowgate => {
                let mut to_assign = PrToAssign::new(pr.repo.clone(), pr.number, pr.author.clone(), pr.tier);
                to_assign.paths = pr.paths.clone();
                to_assign.ai_touched = pr.ai_touched;
                to_assign.requested_users =
                    standing.iter().filter(|r| r.answer_at > now).map(|r| r.login.clone()).collect();
                to_assign.reviewed_by =
                    standing.iter().filter(|r| r.answer_at <= now).map(|r| r.login.clone()).collect();
                to_assign.removed_themselves =
                    watched.requests.iter().filter(|r| r.withdrawn).map(|r| r.login.clone()).collect();
                let chosen = reassign(&setup.policy, &to_assign, &people, now, std::slice::from_ref(login));
                chosen.requested.into_iter().next().map(|r| (r.login, r.pool))
            }
            baseline => {
                let pools = need_pools(setup, pr.tier, &pool);
                let taken: Vec<Login> = watched.requests.iter().map(|r| r.login.clone()).collect();
                baseline_pick(baseline, &setup.policy, world, &people, &pr.author, &pools, &taken, now)
            }
        }?;
        let (to, to_pool) = replacement;
        let delay = timeline.typical.get(&to).copied().unwrap_or(setup.default_delay);
        let answer_at = now.checked_add(delay).unwrap_or(now);
        if let Some(request) = self.prs.get_mut(index).and_then(|w| w.requests.get_mut(position)) {
            request.withdrawn = true;
        }
        world.open.retain(|o| !(o.pr == index && &o.login == login));
        self.requested(index, &to, &to_pool, now, answer_at);
        ask(setup, world, tally, (to.clone(), &to_pool), (index, pr.effort), (now, answer_at));
        Some(to)
    }

    /// The first-response figures and the ladder's counts into `result`.
    pub(super) fn finish(self, result: &mut StrategyResult) {
        let team = &self.calendars.team;
        let mut hours: Vec<f64> = self
            .timeline
            .prs
            .iter()
            .zip(&self.prs)
            .filter_map(|(pr, watched)| {
                let first = watched.requests.iter().filter(|r| !r.withdrawn).map(|r| r.answer_at).min()?;
                let seconds = team.business_seconds(pr.at.as_second(), first.as_second());
                Some(seconds as f64 / 3600.0)
            })
            .collect();
        hours.sort_by(f64::total_cmp);
        result.responded = hours.len() as u32;
        result.first_response_p50_hours = percentile(&hours, 50);
        result.first_response_p90_hours = percentile(&hours, 90);
        let count = |step: Step| self.steps.iter().filter(|s| s.step == step).count() as u32;
        result.reminders = count(Step::Remind);
        result.channel_messages = count(Step::Channel);
        result.reassignments = self.steps.iter().filter(|s| s.step == Step::Reassign && s.to.is_some()).count() as u32;
        result.reminders_outside_hours = self
            .steps
            .iter()
            .filter(|s| s.step == Step::Remind && !self.calendars.of(&s.login).is_working(s.at.as_second()))
            .count() as u32;
        result.capped = self.capped;
        result.steps = self.steps;
    }
}

/// The pools of the need a reviewer from `pool` filled: the tier's, else the spot check's.
fn need_pools(setup: &SimSetup, tier: crate::model::Tier, pool: &str) -> Vec<String> {
    let policy = &setup.policy;
    if let Some(need) = policy.tiers.get(&tier).filter(|n| n.from.iter().any(|p| p == pool)) {
        return need.from.clone();
    }
    if let Some(spot) = policy.spot_check.as_ref().filter(|s| s.from.iter().any(|p| p == pool)) {
        return spot.from.clone();
    }
    vec![pool.to_string()]
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: usize) -> Option<f64> {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}
