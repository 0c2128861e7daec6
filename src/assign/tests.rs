//! Choosing reviewers as a user would notice it: each filter's reason, the score's parts, team
//! expansion, empty and saturated pools, tier needs, the spot check, and determinism.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use jiff::Timestamp;

use super::output::Counted;
use super::policy::{Weights, WorkingHours};
use super::*;
use crate::model::Login;
use crate::model::{Principal, Tier};
use crate::policy::load::load_text;
use crate::wording::assign as wording;

const POLICY: &str = r#"
version: 1
tiers:
  red: { paths: ["src/auth/**"] }
  yellow: { default: true }
reviewers:
  pools:
    security: { members: ["@acme/security"], capacity: 3 }
    seniors:  { members: [alice, carol, dave], capacity: 4 }
    everyone: { members: ["@acme/engineers"], capacity: 6 }
  tiers:
    red:    { request: 2, from: [security, seniors] }
    yellow: { request: 1, from: [everyone] }
    green:  { request: 1, from: [everyone] }
  ai_spot_check: { percent: 30, from: [seniors] }
  unavailable: [erin]
  working_hours: { alice: "Europe/Berlin 09-17" }
  weights: { expertise: 1.0, load: 1.0, fairness: 0.5 }
"#;

fn policy_from(text: &str) -> ReviewerPolicy {
    let policy = load_text(text, Path::new("test.yml")).unwrap_or_else(|e| panic!("policy should load: {e}"));
    policy.reviewers.expect("the policy has a reviewers section")
}

fn policy() -> ReviewerPolicy {
    policy_from(POLICY)
}

fn l(login: &str) -> Login {
    Login::new(login)
}

fn ls(logins: &[&str]) -> Vec<Login> {
    logins.iter().map(|s| l(s)).collect()
}

/// Tuesday 4 March 2025, 10:00 UTC: 11:00 in Berlin.
fn now() -> Timestamp {
    "2025-03-04T10:00:00Z".parse().unwrap()
}

fn people() -> PeopleFacts {
    PeopleFacts {
        teams: BTreeMap::from([
            ("@acme/security".to_string(), ls(&["sam", "tara"])),
            ("@acme/engineers".to_string(), ls(&["alice", "bob", "carol", "dave", "erin", "frank", "sam", "tara"])),
        ]),
        ..PeopleFacts::default()
    }
}

fn pr(tier: Tier) -> PrToAssign {
    let mut pr = PrToAssign::new("acme/shop", 42, l("bob"), tier);
    pr.paths = vec!["src/auth/login.rs".into(), "src/auth/session.rs".into()];
    pr
}

fn chosen(a: &Assignment) -> Vec<&str> {
    a.requested.iter().map(|r| r.login.as_str()).collect()
}

fn skip_of<'a>(a: &'a Assignment, login: &str) -> &'a Skipped {
    a.skipped.iter().find(|s| s.login.as_str() == login).unwrap_or_else(|| panic!("{login} not skipped: {a:#?}"))
}

/// A yellow PR whose only possible reviewer, by default, is `dave`: everyone else in
/// `everyone` is removed by the change under test or put at capacity.
fn only_dave_and(extra: &str) -> PeopleFacts {
    let mut people = people();
    for login in ["alice", "carol", "erin", "frank", "sam", "tara"] {
        if login != extra {
            people.load.insert(l(login), OpenLoad { requests: 6, effort: 6.0 });
        }
    }
    people
}

#[test]
fn each_filter_names_its_reason() {
    // Two reviewers, so that one already present still leaves a need to choose for; except for
    // capacity, where a second need would take the least-loaded person over capacity.
    let two = policy_from(&POLICY.replace("yellow: { request: 1", "yellow: { request: 2"));
    let one = policy();
    type Setup = Box<dyn Fn(&mut PrToAssign, &mut PeopleFacts)>;
    let cases: Vec<(&str, Setup, SkipReason, &str)> = vec![
        ("bob", Box::new(|_, _| {}), SkipReason::Author, "bob: the PR author"),
        (
            "carol",
            Box::new(|pr, _| pr.committers.push(l("carol"))),
            SkipReason::Committer,
            "carol: committed to this PR",
        ),
        (
            "carol",
            Box::new(|pr, _| pr.requested_users.push(l("Carol"))),
            SkipReason::AlreadyRequested,
            "carol: already requested",
        ),
        (
            "carol",
            Box::new(|pr, _| pr.reviewed_by.push(l("carol"))),
            SkipReason::AlreadyReviewed,
            "carol: already reviewed",
        ),
        (
            "carol",
            Box::new(|pr, _| pr.removed_themselves.push(l("carol"))),
            SkipReason::RemovedThemselves,
            "carol: removed themselves from the request",
        ),
        ("erin", Box::new(|_, _| {}), SkipReason::Unavailable, "erin: unavailable"),
        (
            "carol",
            Box::new(|_, people| {
                people.away_until.insert(l("carol"), "2025-03-10T08:00:00Z".parse().unwrap());
            }),
            SkipReason::Away { until: "2025-03-10T08:00:00Z".parse().unwrap() },
            "carol: away until 2025-03-10 08:00 UTC",
        ),
        (
            "carol",
            Box::new(|_, people| {
                people.busy.insert(l("Carol"), Some("2025-03-05T17:00:00Z".parse().unwrap()));
            }),
            SkipReason::Busy { until: Some("2025-03-05T17:00:00Z".parse().unwrap()) },
            "carol: busy on GitHub (until 2025-03-05 17:00 UTC)",
        ),
        (
            "carol",
            Box::new(|_, people| {
                people.busy.insert(l("carol"), None);
            }),
            SkipReason::Busy { until: None },
            "carol: busy on GitHub",
        ),
        (
            "carol",
            Box::new(|_, people| {
                people.load.insert(l("carol"), OpenLoad { requests: 6, effort: 4.0 });
            }),
            SkipReason::AtCapacity { open: 6, capacity: 6 },
            "carol: at capacity (6 of 6 open reviews)",
        ),
    ];
    for (login, setup, why, line) in cases {
        let mut pr = pr(Tier::Yellow);
        let mut people = only_dave_and(login);
        setup(&mut pr, &mut people);
        let policy = if matches!(why, SkipReason::AtCapacity { .. }) { &one } else { &two };
        let a = choose(policy, &pr, &people, now());
        let skipped = skip_of(&a, login);
        assert_eq!(skipped.why, why, "{line}");
        assert_eq!(wording::skipped_line(skipped), line);
        assert_eq!(skipped.pool, "everyone");
        assert!(!chosen(&a).contains(&login), "{login} was requested despite: {line}");
    }
}

#[test]
fn someone_away_until_a_past_time_is_back() {
    let mut people = only_dave_and("carol");
    people.load.insert(l("dave"), OpenLoad { requests: 5, effort: 5.0 });
    people.away_until.insert(l("carol"), "2025-03-01T00:00:00Z".parse().unwrap());
    let a = choose(&policy(), &pr(Tier::Yellow), &people, now());
    assert_eq!(chosen(&a), ["carol"]);
}

#[test]
fn working_hours_apply_to_urgent_tiers_only() {
    let policy = policy();
    let mut people = people();
    // Only the seniors pool matters: fill security so the red PR looks at seniors for its second.
    people.expertise.insert(l("alice"), 20);
    let evening: Timestamp = "2025-03-04T19:30:00Z".parse().unwrap(); // 20:30 in Berlin
    let red = choose(&policy, &pr(Tier::Red), &people, evening);
    let alice = skip_of(&red, "alice");
    assert_eq!(
        alice.why,
        SkipReason::OutsideWorkingHours {
            hours: WorkingHours::parse("Europe/Berlin 09-17").unwrap(),
            local_time: jiff::civil::time(20, 30, 0, 0)
        }
    );
    assert_eq!(
        wording::skipped_line(alice),
        "alice: outside working hours for an urgent review (20:30 there; hours Europe/Berlin 09-17)"
    );

    let morning = choose(&policy, &pr(Tier::Red), &people, now());
    let req = morning.requested.iter().find(|r| r.login.as_str() == "alice").expect("alice is the expert");
    let reason = wording::requested_line(&morning, req);
    assert!(reason.ends_with("available (11:00 there; hours Europe/Berlin 09-17)"), "{reason}");

    let mut yellow = pr(Tier::Yellow);
    yellow.paths = vec!["src/cart.rs".into()];
    let a = choose(&policy, &yellow, &people, evening);
    assert_eq!(chosen(&a), ["alice"], "the expert at night is fine for a yellow PR: {a:#?}");
}

#[test]
fn reassign_chooses_again_without_the_current_reviewer() {
    let policy = policy();
    let mut pr = pr(Tier::Yellow);
    let people = people();
    let first = choose(&policy, &pr, &people, now());
    let current = first.requested[0].login.clone();
    pr.requested_users.push(current.clone());
    assert!(choose(&policy, &pr, &people, now()).requested.is_empty(), "the need is met once requested");
    let again = reassign(&policy, &pr, &people, now(), std::slice::from_ref(&current));
    assert_eq!(again.requested.len(), 1);
    assert_ne!(again.requested[0].login, current);
    let skipped = skip_of(&again, current.as_str());
    assert_eq!(skipped.why, SkipReason::BeingReplaced);
}

#[test]
fn bots_are_never_requested() {
    let mut people = only_dave_and("renovate[bot]");
    people.teams.get_mut("@acme/engineers").unwrap().push(l("renovate[bot]"));
    let a = choose(&policy(), &pr(Tier::Yellow), &people, now());
    assert_eq!(skip_of(&a, "renovate[bot]").why, SkipReason::Bot);
}

#[test]
fn the_reason_line_reads_as_documented() {
    let mut people = people();
    people.codeowners.insert("src/auth/login.rs".into(), vec![Principal("alice".into())]);
    people.codeowners.insert("src/auth/session.rs".into(), vec![Principal("@acme/seniors".into())]);
    people.teams.insert("@acme/seniors".into(), ls(&["alice", "carol"]));
    people.load.insert(l("alice"), OpenLoad { requests: 1, effort: 1.0 });
    let mut pr = pr(Tier::Yellow);
    pr.paths.reverse();
    let a = choose(&policy(), &pr, &people, now());
    assert_eq!(
        wording::requested_line(&a, &a.requested[0]),
        "alice: owns src/auth/ in CODEOWNERS, 1 of 6 open reviews, available"
    );
}

#[test]
fn expertise_counts_owned_paths_and_recent_touches() {
    let policy = policy();
    let mut people = people();
    people.codeowners.insert("src/auth/login.rs".into(), vec![Principal("@acme/security".into())]);
    people.expertise.insert(l("carol"), 3);
    let a = choose(&policy, &pr(Tier::Yellow), &people, now());
    // sam and tara own one of two paths through their team: 1/2 of the owned half = 0.25.
    // carol has 3 touches: 3 / (3 + 3) = 0.5 of the touched half = 0.25. A three-way tie on score.
    let s = |login: &str| {
        let ctx =
            filters::Context { policy: &policy, pr: &pr(Tier::Yellow), people: &people, now: now(), replacing: &[] };
        score::score(&l(login), policy.pool("everyone").unwrap(), &ctx, 0)
    };
    assert_eq!(s("sam").expertise, 0.25);
    assert_eq!(s("sam").owned_paths, 1);
    assert_eq!(s("sam").owned_area.as_deref(), Some("src/auth/login.rs"));
    assert_eq!(s("carol").expertise, 0.25);
    assert_eq!(s("frank").expertise, 0.0);
    assert!(["sam", "tara", "carol"].contains(&chosen(&a)[0]), "{a:#?}");
}

#[test]
fn load_and_fairness_lower_the_score_by_their_weights() {
    let policy = policy();
    let mut people = people();
    people.load.insert(l("carol"), OpenLoad { requests: 2, effort: 3.0 });
    people.reviews_given.insert(l("carol"), 4);
    people.reviews_given.insert(l("dave"), 8);
    let pr = pr(Tier::Yellow);
    let ctx = filters::Context { policy: &policy, pr: &pr, people: &people, now: now(), replacing: &[] };
    let carol = score::score(&l("carol"), policy.pool("everyone").unwrap(), &ctx, 1);
    assert_eq!(carol.load, 0.5, "3.0 effort over a capacity of 6");
    assert_eq!(carol.fairness, 0.5, "3 reviews more than the fewest anyone gave, over a capacity of 6");
    assert_eq!(carol.total, -0.5 - 0.25);
    let fewest = score::score(&l("carol"), policy.pool("everyone").unwrap(), &ctx, 4);
    assert_eq!(fewest.fairness, 0.0, "carol gave the fewest");
    assert_eq!(carol.open_requests, 2);

    let mut light = policy.clone();
    light.weights = Weights { expertise: 1.0, load: 0.0, fairness: 0.0 };
    let ctx = filters::Context { policy: &light, pr: &pr, people: &people, now: now(), replacing: &[] };
    assert_eq!(score::score(&l("carol"), light.pool("everyone").unwrap(), &ctx, 1).total, 0.0);

    // The least loaded, least busy candidate wins: everyone but carol and dave has done nothing,
    // so the choice falls among them.
    let a = choose(&policy, &pr, &people, now());
    assert!(!["carol", "dave", "bob", "erin"].contains(&chosen(&a)[0]), "{a:#?}");
}

#[test]
fn ties_go_to_the_least_recently_requested_then_a_stable_hash() {
    let policy = policy();
    let mut people = people();
    for login in ["alice", "carol", "dave", "frank", "sam", "tara"] {
        people.last_requested.insert(l(login), "2025-03-03T00:00:00Z".parse().unwrap());
    }
    people.last_requested.insert(l("frank"), "2025-02-01T00:00:00Z".parse().unwrap());
    let a = choose(&policy, &pr(Tier::Yellow), &people, now());
    assert_eq!(chosen(&a), ["frank"]);

    people.last_requested.insert(l("frank"), "2025-03-03T00:00:00Z".parse().unwrap());
    let winners: std::collections::BTreeSet<String> = (1..40)
        .map(|n| {
            let mut pr = pr(Tier::Yellow);
            pr.number = n;
            chosen(&choose(&policy, &pr, &people, now()))[0].to_string()
        })
        .collect();
    assert!(winners.len() >= 4, "full ties should spread across people by PR, got {winners:?}");
}

#[test]
fn teams_expand_to_members_and_unknown_teams_are_reported() {
    let policy = policy();
    let mut people = people();
    let a = choose(&policy, &pr(Tier::Red), &people, now());
    assert_eq!(a.requested[0].role, Role::FirstPool);
    assert!(["sam", "tara"].contains(&a.requested[0].login.as_str()), "{a:#?}");
    assert_eq!(a.requested[0].pool, "security");

    people.teams.remove("@acme/security");
    let a = choose(&policy, &pr(Tier::Red), &people, now());
    let kinds: Vec<&ProblemKind> = a.problems.iter().map(|p| &p.what).collect();
    assert!(
        kinds.contains(&&ProblemKind::TeamWithoutMembers { pool: "security".into(), team: "@acme/security".into() }),
        "{kinds:?}"
    );
    assert!(kinds.contains(&&ProblemKind::EmptyPool { pool: "security".into() }));
    let unfilled = a.problems.iter().find(|p| matches!(p.what, ProblemKind::Unfilled { .. })).expect("unfilled need");
    assert_eq!(
        wording::problem(&a, &unfilled.what),
        "the red tier needs a reviewer from security, but no one there can be requested: there is no one in the pool"
    );
    assert_eq!(a.requested.len(), 1, "the second reviewer still comes from seniors: {a:#?}");
    assert_eq!(a.requested[0].pool, "seniors");

    people.teams.insert("@acme/security".into(), Vec::new());
    let a = choose(&policy, &pr(Tier::Red), &people, now());
    assert!(
        wording::problem(&a, &a.problems[0].what)
            .starts_with("team @acme/security in pool security has no known members")
    );
}

#[test]
fn a_pool_with_no_one_requestable_says_why_for_each() {
    let mut policy = policy();
    policy.pools.get_mut("security").unwrap().members = vec![Principal("bob".into()), Principal("erin".into())];
    let a = choose(&policy, &pr(Tier::Red), &people(), now());
    let unfilled = &wording::problem(&a, &a.problems.last().expect("a problem").what);
    assert_eq!(
        unfilled,
        "the red tier needs a reviewer from security, but no one there can be requested: \
         bob (the PR author), erin (unavailable)"
    );
}

#[test]
fn everyone_at_capacity_chooses_the_least_over_and_flags_the_pool() {
    let policy = policy();
    let mut people = people();
    for (login, open) in [("alice", 9), ("carol", 8), ("dave", 7), ("erin", 0), ("frank", 6), ("sam", 8), ("tara", 6)] {
        people.load.insert(l(login), OpenLoad { requests: open, effort: f64::from(open) });
    }
    let a = choose(&policy, &pr(Tier::Yellow), &people, now());
    assert_eq!(a.requested.len(), 1);
    let r = &a.requested[0];
    assert!(r.over_capacity);
    assert!(["frank", "tara"].contains(&r.login.as_str()), "6 of 6 is the least over: {a:#?}");
    let reason = wording::requested_line(&a, r);
    assert!(reason.contains("6 of 6 open reviews (everyone who could be asked is at capacity)"), "{reason}");
    assert_eq!(a.saturated_pools, ["everyone"]);
    assert!(a.problems.is_empty(), "saturation is flagged, not a problem: {:?}", a.problems);
}

#[test]
fn red_needs_one_from_security_and_requests_only_the_shortfall() {
    let policy = policy();
    let people = people();
    let mut pr = pr(Tier::Red);
    let a = choose(&policy, &pr, &people, now());
    assert_eq!(a.needed, 2);
    assert_eq!(a.requested.len(), 2);
    assert_eq!(a.requested[0].pool, "security");
    assert_eq!(a.requested[1].role, Role::Tier);

    // Once those requests are made, nothing more is asked.
    pr.requested_users = a.requested.iter().map(|r| r.login.clone()).collect();
    let again = choose(&policy, &pr, &people, now());
    assert!(again.requested.is_empty(), "{again:#?}");
    assert_eq!(again.counted.len(), 2);

    // Two seniors already present do not cover the security need: one from security is added.
    pr.requested_users = ls(&["carol"]);
    pr.reviewed_by = ls(&["dave"]);
    let a = choose(&policy, &pr, &people, now());
    assert_eq!(a.requested.len(), 1);
    assert_eq!(a.requested[0].pool, "security");
    assert_eq!(a.needed, 2);

    // A requested security team covers the security need.
    pr.requested_users.clear();
    pr.reviewed_by.clear();
    pr.requested_teams = vec!["@acme/security".into()];
    let a = choose(&policy, &pr, &people, now());
    assert_eq!(a.counted, [Counted { who: "@acme/security".into(), role: Role::FirstPool }]);
    assert_eq!(a.requested.len(), 1);
    assert_eq!(a.requested[0].role, Role::Tier);
}

#[test]
fn a_tier_without_a_reviewer_rule_requests_no_one() {
    let text = POLICY.replace("    green:  { request: 1, from: [everyone] }\n", "");
    let a = choose(&policy_from(&text), &pr(Tier::Green), &people(), now());
    assert_eq!(a.needed, 0);
    assert!(a.requested.is_empty() && a.problems.is_empty());
}

#[test]
fn the_spot_check_is_a_fixed_sample_of_ai_touched_prs() {
    let policy = policy();
    let people = people();
    let sampled: Vec<u64> = (1..=1000)
        .filter(|n| {
            let mut pr = pr(Tier::Yellow);
            pr.number = *n;
            pr.ai_touched = true;
            choose(&policy, &pr, &people, now()).spot_check.sampled
        })
        .collect();
    assert!((250..=350).contains(&sampled.len()), "about 30% sampled, got {}", sampled.len());

    let mut pr = pr(Tier::Yellow);
    pr.number = sampled[0];
    pr.ai_touched = true;
    let a = choose(&policy, &pr, &people, now());
    assert_eq!(a, choose(&policy, &pr, &people, now()));
    assert_eq!(a.needed, 2);
    let spot = a.requested.iter().find(|r| r.role == Role::SpotCheck).expect("a spot-check reviewer");
    assert_eq!(spot.pool, "seniors");
    assert!(wording::requested_line(&a, spot).ends_with("; AI spot check"));

    pr.ai_touched = false;
    let a = choose(&policy, &pr, &people, now());
    assert!(!a.spot_check.sampled && a.needed == 1);

    // Raising the percentage only adds PRs to the sample.
    let mut more = policy.clone();
    more.spot_check.as_mut().unwrap().percent = 60;
    for n in &sampled {
        let mut pr = pr.clone();
        pr.number = *n;
        pr.ai_touched = true;
        assert!(choose(&more, &pr, &people, now()).spot_check.sampled);
    }
}

fn busy_people() -> PeopleFacts {
    let mut people = people();
    people.codeowners.insert("src/auth/login.rs".into(), vec![Principal("@acme/security".into())]);
    people.expertise.extend([(l("carol"), 2), (l("dave"), 2), (l("tara"), 5)]);
    people.load.extend([
        (l("alice"), OpenLoad { requests: 1, effort: 0.5 }),
        (l("sam"), OpenLoad { requests: 3, effort: 2.0 }),
        (l("dave"), OpenLoad { requests: 1, effort: 1.0 }),
    ]);
    people.reviews_given.extend([(l("carol"), 3), (l("tara"), 1)]);
    people.last_requested.insert(l("carol"), "2025-03-01T00:00:00Z".parse().unwrap());
    people
}

#[test]
fn the_same_input_in_any_order_gives_the_same_output() {
    let policy = policy();
    let people = busy_people();
    let mut pr = pr(Tier::Red);
    pr.ai_touched = true;
    pr.committers = ls(&["bob", "frank"]);
    pr.requested_users = ls(&["Frank"]);
    let a = choose(&policy, &pr, &people, now());
    assert_eq!(a, choose(&policy, &pr, &people, now()));

    let mut shuffled_pr = pr.clone();
    shuffled_pr.paths.reverse();
    shuffled_pr.committers.reverse();
    let mut shuffled_people = people.clone();
    for members in shuffled_people.teams.values_mut() {
        members.reverse();
    }
    let mut shuffled_policy = policy.clone();
    for pool in shuffled_policy.pools.values_mut() {
        pool.members.reverse();
    }
    // Rebuilding the maps changes their internal order.
    shuffled_people.load = people.load.clone().into_iter().collect::<Vec<_>>().into_iter().rev().collect();
    shuffled_people.expertise =
        people.expertise.clone().into_iter().collect::<Vec<_>>().into_iter().rev().collect::<HashMap<_, _>>();
    assert_eq!(choose(&shuffled_policy, &shuffled_pr, &shuffled_people, now()), a);

    let json = serde_json::to_value(&a).unwrap();
    assert!(json["requested"][0]["login"].is_string());
    assert!(json["skipped"].is_array() && json["saturated_pools"].is_array());
    assert!(json["spot_check"]["sampled"].is_boolean());
}

#[test]
fn a_busy_status_that_has_expired_no_longer_passes_anyone_over() {
    let mut people = people();
    people.busy.insert(l("carol"), Some("2025-03-04T09:59:00Z".parse().unwrap()));
    let a = choose(&policy(), &pr(Tier::Yellow), &people, now());
    assert!(
        a.skipped.iter().all(|s| s.login.as_str() != "carol" || !matches!(s.why, SkipReason::Busy { .. })),
        "{a:#?}"
    );
}

#[test]
fn the_reason_counts_reviews_only_when_the_history_was_read() {
    let mut people = people();
    people.reviews_given.extend([(l("carol"), 3), (l("alice"), 1)]);
    let without = choose(&policy(), &pr(Tier::Yellow), &people, now());
    assert!(
        without.requested.iter().all(|r| !wording::requested_line(&without, r).contains("in the last")),
        "{without:#?}"
    );
    people.review_window_weeks = Some(4);
    people.unknown.push(crate::assign::Unread::BusyStatus { error: "timed out".into() });
    let with = choose(&policy(), &pr(Tier::Yellow), &people, now());
    let reason = &wording::requested_line(&with, &with.requested[0]);
    let given = people.reviews_given.get(&with.requested[0].login).copied().unwrap_or(0);
    let expected = if given == 1 {
        "1 review in the last 4 weeks".to_string()
    } else {
        format!("{given} reviews in the last 4 weeks")
    };
    assert!(reason.contains(&expected), "{reason}");
    assert_eq!(with.notes, vec![crate::assign::Unread::BusyStatus { error: "timed out".into() }]);
}
