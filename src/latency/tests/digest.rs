//! A week of PRs through `DigestBuilder`, with every figure worked out by hand below.
//!
//! Wall-clock hours, UTC, window Monday 3 to Monday 10 March 2025 (= now).
//! Red, by ann (team payments), acme/shop; first review after a request at opening:
//!   #1 Mon 08:00, alice comments 17:00 (9 h), approves 18:00, merged 20:00, story
//!   #2 Tue 08:00, bob approves 20:00 (12 h), merged 21:00, story
//!   #3 Wed 08:00, carol approves 14:00 (6 h), still open: the author's turn
//! Yellow, by ben (no team), acme/api:
//!   #4 Mon 09:00, dave approves 11:00 (2 h), merged 12:00, story
//!   #5 Tue 09:00, dave approves 12:00 (3 h), merged 13:00
//!   #6 Wed 09:00, erin approves 13:00 (4 h), merged 14:00, story, AI detected
//!   #20 Fri 09:00, dave requested, no review yet: 63 h on dave at now
//!   #22 Fri 12:00, erin requests changes 13:00 (1 h): the author's turn
//! Green, by ann: #21 Sun 12:00, nobody requested: 12 h on reviewers at now.
//! Before the window (trend only): #30 Tue 25 Feb 09:00, dave approves 10:00, merged 11:00.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::latency::tests::support::{Pr, office_hours, t, wall_clock, window};
use crate::latency::timeline::Turn;
use crate::latency::{
    ClockMode, Digest, DigestBuilder, Event, EventKind, FindingKind, LatencyConfig, Reviewer, Spread,
};
use crate::model::Tier;
use crate::wording::digest as wording;

fn week() -> Vec<Pr> {
    let red = |n| Pr::new(n, "ann").tier(Some(Tier::Red));
    let yellow = |n| Pr::new(n, "ben").repo("acme/api");
    vec![
        red(1)
            .story("SHOP-1")
            .opened("2025-03-03 08:00")
            .request("2025-03-03 08:00", "alice")
            .comment("2025-03-03 17:00", "alice")
            .approve("2025-03-03 18:00", "alice")
            .merged("2025-03-03 20:00"),
        red(2)
            .story("SHOP-2")
            .opened("2025-03-04 08:00")
            .request("2025-03-04 08:00", "bob")
            .approve("2025-03-04 20:00", "bob")
            .merged("2025-03-04 21:00"),
        red(3).opened("2025-03-05 08:00").request("2025-03-05 08:00", "carol").approve("2025-03-05 14:00", "carol"),
        yellow(4)
            .story("API-4")
            .opened("2025-03-03 09:00")
            .request("2025-03-03 09:00", "dave")
            .approve("2025-03-03 11:00", "dave")
            .merged("2025-03-03 12:00"),
        yellow(5)
            .opened("2025-03-04 09:00")
            .request("2025-03-04 09:00", "dave")
            .approve("2025-03-04 12:00", "dave")
            .merged("2025-03-04 13:00"),
        yellow(6)
            .story("API-6")
            .ai_detected()
            .opened("2025-03-05 09:00")
            .request("2025-03-05 09:00", "erin")
            .approve("2025-03-05 13:00", "erin")
            .merged("2025-03-05 14:00"),
        yellow(20).opened("2025-03-07 09:00").request("2025-03-07 09:00", "dave"),
        Pr::new(21, "ann").tier(Some(Tier::Green)).opened("2025-03-09 12:00"),
        yellow(22).opened("2025-03-07 12:00").request("2025-03-07 12:00", "erin").changes("2025-03-07 13:00", "erin"),
        yellow(30)
            .opened("2025-02-25 09:00")
            .request("2025-02-25 09:00", "dave")
            .approve("2025-02-25 10:00", "dave")
            .merged("2025-02-25 11:00"),
    ]
}

fn config() -> LatencyConfig {
    let mut config = wall_clock();
    config.teams.insert("Ann".to_string(), vec!["payments".to_string()]);
    config.first_review_targets = BTreeMap::from([
        (Tier::Red, Duration::from_secs(8 * 3600)),
        (Tier::Yellow, Duration::from_secs(24 * 3600)),
        (Tier::Green, Duration::from_secs(48 * 3600)),
    ]);
    config.trend_weeks = 2;
    config
}

fn digest_of(config: LatencyConfig, prs: &[Pr]) -> Digest {
    let mut builder = DigestBuilder::new(config, window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    for pr in prs {
        builder.add_pr(&pr.events);
    }
    builder.finish()
}

fn spread(count: usize, median: f64, p90: f64) -> Spread {
    Spread { count, median: Some(median), p90: Some(p90) }
}

#[test]
fn totals_count_what_happened_in_the_window() {
    let d = digest_of(config(), &week());
    let totals = d.totals;
    assert_eq!((totals.prs_active, totals.opened, totals.merged, totals.closed_unmerged), (9, 9, 5, 0));
    assert_eq!((totals.open_at_end, totals.first_reviews, totals.reviews, totals.review_requests), (4, 7, 8, 8));
    assert_eq!((totals.waiting_on_reviewers_now, totals.waiting_on_author_now), (2, 2));
}

#[test]
fn overall_figures_are_medians_and_p90s_of_the_windows_completions() {
    let d = digest_of(config(), &week());
    // First reviews 1, 2, 3, 4, 6, 9, 12 h: the p90 sits 0.4 of the way from 9 to 12.
    assert_eq!(d.overall.first_review_hours, spread(7, 4.0, 10.2));
    // Open to merge 3, 4, 5, 12, 13 h; approval to merge 1, 1, 1, 1, 2 h.
    assert_eq!(d.overall.open_to_merge_hours, spread(5, 5.0, 12.6));
    assert_eq!(d.overall.approval_to_merge_hours, spread(5, 1.0, 1.6));
    assert_eq!(d.overall.review_rounds, spread(5, 0.0, 0.0));
    // Reviewers: 9+12+6+2+3+4 h to the first answers, 63 (#20), 12 (#21) and 1 (#22).
    assert_eq!(d.overall.waiting_on_reviewers_hours, 112.0);
    // Authors: 3 (#1), 1 (#2, #4, #5, #6 each), 106 (#3 from Wed 14:00), 59 (#22 from Fri 13:00).
    assert_eq!(d.overall.waiting_on_author_hours, 172.0);
    assert_eq!(d.overall.awaiting_first_review_now, 2);
}

#[test]
fn breakdowns_group_by_tier_ai_repository_and_the_authors_team() {
    let d = digest_of(config(), &week());
    let groups = |g: &[crate::latency::GroupFigures]| g.iter().map(|g| (g.group.clone(), g.prs)).collect::<Vec<_>>();
    let named = |v: &[(&str, usize)]| v.iter().map(|(n, c)| (n.to_string(), *c)).collect::<Vec<_>>();
    assert_eq!(groups(&d.by_tier), named(&[("red", 3), ("yellow", 5), ("green", 1)]));
    assert_eq!(groups(&d.by_ai), named(&[("ai", 1), ("no_ai", 8)]));
    assert_eq!(groups(&d.by_repo), named(&[("acme/api", 5), ("acme/shop", 4)]));
    assert_eq!(groups(&d.by_team), named(&[("payments", 4), ("no team", 5)]));
    assert_eq!(d.by_tier[0].first_review_hours, spread(3, 9.0, 11.4));
    assert_eq!(d.by_tier[1].first_review_hours.median, Some(2.5));
}

#[test]
fn reviewers_are_listed_by_load_then_name_with_their_open_queue() {
    let d = digest_of(config(), &week());
    let rows: Vec<(String, usize, usize, usize)> = d
        .reviewers
        .iter()
        .map(|r| (r.reviewer.name(), r.requests_received, r.reviews_given, r.open_queue_now))
        .collect();
    let expected = [("dave", 3, 2, 1), ("erin", 2, 2, 0), ("alice", 1, 2, 0), ("bob", 1, 1, 0), ("carol", 1, 1, 0)];
    assert_eq!(rows, expected.map(|(n, a, b, c)| (n.to_string(), a, b, c)));
    assert_eq!(d.reviewers[0].response_hours, Default::default(), "a person's answer wait is theirs alone");
}

#[test]
fn targets_count_late_first_reviews_and_prs_already_past_them() {
    let d = digest_of(config(), &week());
    let rows: Vec<(Tier, f64, usize, usize, usize)> = d
        .targets
        .iter()
        .map(|t| (t.tier, t.target_hours, t.first_reviews, t.breached, t.waiting_over_target_now))
        .collect();
    assert_eq!(rows, [(Tier::Red, 8.0, 3, 2, 0), (Tier::Yellow, 24.0, 4, 0, 1), (Tier::Green, 48.0, 0, 0, 0)]);
}

#[test]
fn the_longest_waits_say_on_whom() {
    let d = digest_of(config(), &week());
    let rows: Vec<(u64, f64, Vec<Reviewer>)> =
        d.longest_waiting.iter().map(|w| (w.pr, w.waiting_hours, w.on.clone())).collect();
    assert_eq!(rows, [(20, 63.0, vec![Reviewer::user("dave")]), (21, 12.0, vec![])]);
}

#[test]
fn traceability_is_the_share_of_merged_prs_with_a_story() {
    let d = digest_of(config(), &week());
    assert_eq!((d.traceability.merged, d.traceability.with_story, d.traceability.share), (5, 4, Some(0.8)));
}

#[test]
fn findings_are_ranked_by_the_waiting_they_explain() {
    let d = digest_of(config(), &week());
    let headlines: Vec<String> = d.findings.iter().map(|f| wording::headline(&f.kind)).collect();
    let rows: Vec<(&str, f64)> =
        headlines.iter().zip(&d.findings).map(|(h, f)| (h.as_str(), f.explained_hours)).collect();
    assert_eq!(
        rows,
        [
            ("61% of the waiting was on authors (172 h on authors, 112 h on reviewers)", 172.0),
            ("1 of 5 yellow-tier PRs missed the 24.0 h first-review target", 39.0),
            (
                "red-tier PRs wait 3.6x longer for a first review than yellow-tier PRs (9.0 h against 2.5 h median)",
                19.5
            ),
            ("first reviews in acme/shop take 2.2x the overall median (9.0 h against 4.0 h)", 15.0),
            ("2 of 3 red-tier PRs missed the 8.0 h first-review target", 5.0),
        ]
    );
    let gap = &d.findings[2];
    assert!(matches!(gap.kind, FindingKind::TierGap { top_two_share: Some(s), .. } if s == 0.75));
    assert_eq!(wording::suggestion(&gap.kind), "75% of red reviews went to two people: add reviewers to the red pool");
}

#[test]
fn the_trend_has_one_entry_per_iso_week_including_weeks_before_the_window() {
    let d = digest_of(config(), &week());
    let rows: Vec<(&str, usize, Option<f64>, usize)> = d
        .trend
        .iter()
        .map(|w| (w.week.as_str(), w.first_review_hours.count, w.first_review_hours.median, w.merged))
        .collect();
    assert_eq!(rows, [("2025-W09", 1, Some(1.0), 1), ("2025-W10", 7, Some(4.0), 5)]);
    assert_eq!(d.trend[0].open_to_merge_hours.median, Some(2.0));
}

#[test]
fn a_team_request_shows_as_the_teams_load() {
    let pr = Pr::new(1, "ann")
        .opened("2025-03-03 09:00")
        .request_team("2025-03-03 09:00", "acme/security")
        .approve("2025-03-03 11:00", "zoe");
    let d = digest_of(config(), &[pr]);
    let team = d.reviewers.iter().find(|r| r.reviewer == Reviewer::team("acme/security")).expect("team row");
    assert_eq!((team.requests_received, team.reviews_given, team.response_hours.median), (1, 1, Some(2.0)));
    let zoe = d.reviewers.iter().find(|r| r.reviewer == Reviewer::user("zoe")).expect("zoe row");
    assert_eq!((zoe.requests_received, zoe.reviews_given), (0, 1));
}

#[test]
fn business_hours_are_the_default_clock() {
    // Friday 16:00 to Monday 10:00: two working hours, 66 on the wall.
    let pr = Pr::new(1, "ann").opened("2025-03-07 16:00").comment("2025-03-10 10:00", "bob");
    let mut builder =
        DigestBuilder::new(office_hours(), window("2025-03-10 00:00", "2025-03-17 00:00"), t("2025-03-17 00:00"));
    builder.add_pr(&pr.events);
    let d = builder.finish();
    assert_eq!(d.clock, ClockMode::Business);
    assert_eq!(d.overall.first_review_hours.median, Some(2.0));
}

#[test]
fn a_whole_sorted_log_can_be_added_at_once() {
    let prs = week();
    let log: Vec<Event> = prs.iter().flat_map(|p| p.events.clone()).collect();
    let mut builder =
        DigestBuilder::new(config(), window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    builder.add_pr(&log);
    assert_eq!(builder.finish(), digest_of(config(), &prs));
}

#[test]
fn history_since_reaches_back_to_the_trends_first_week() {
    let builder = DigestBuilder::new(config(), window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    assert!(builder.history_since() <= t("2025-02-24 00:00"));
}

#[test]
fn an_empty_window_gives_an_empty_digest_not_a_panic() {
    let d = digest_of(config(), &[]);
    assert_eq!(d.totals.prs_active, 0);
    assert_eq!(d.overall.first_review_hours, Spread { count: 0, median: None, p90: None });
    assert!(d.findings.is_empty() && d.by_tier.is_empty() && d.traceability.share.is_none());
    assert_eq!(d.trend.len(), 2);
}

#[test]
fn the_digest_serialises_to_json_for_renderers() {
    let d = digest_of(config(), &week());
    let json = serde_json::to_value(&d).expect("serialisable");
    assert_eq!(json["clock"], "calendar");
    assert_eq!(json["findings"][0]["kind"], "author_wait");
    assert_eq!(json["findings"][0]["share"], 0.61);
    assert_eq!(json["longest_waiting"][0]["on"][0], serde_json::json!({"type": "user", "login": "dave"}));
    assert_eq!(json["by_tier"][0]["first_review_hours"]["median"], 9.0);
}

#[test]
fn events_are_stored_as_flat_json_with_snake_case_kinds() {
    let pr =
        Pr::new(7, "ann").tier(Some(Tier::Red)).opened("2025-03-03 09:00").request_team("2025-03-03 09:05", "acme/sec");
    let json = serde_json::to_value(&pr.events[1]).expect("serialisable");
    assert_eq!(json["event"], "review_requested");
    assert_eq!(json["reviewer"], serde_json::json!({"type": "team", "slug": "acme/sec"}));
    assert_eq!(json["context"]["tier"], "red");
    assert_eq!(json["context"]["ai_declared"], "undeclared");
    assert_eq!(json["at"], "2025-03-03T09:05:00Z");
    for event in &pr.events {
        let back: Event = serde_json::from_value(serde_json::to_value(event).expect("json")).expect("round trip");
        assert_eq!(&back, event);
    }
    let merged: Event = serde_json::from_value(serde_json::json!({
        "id": "d1", "repo": "o/r", "pr": 1, "at": "2025-03-03T09:00:00Z",
        "actor": {"login": "ann", "bot": false},
        "context": {"author": "ann", "tier": null, "ai_declared": "assisted", "ai_detected": false, "ai_tools": [], "story_keys": []},
        "event": "merged"
    }))
    .expect("a stored row");
    assert_eq!(merged.kind, EventKind::Merged);
    assert!(merged.context.ai_touched());
    let _ = Turn::Nobody;
}

#[test]
fn the_full_chain_share_counts_the_outcomes_handed_in_and_never_traces_a_pr_nobody_looked_up() {
    use crate::latency::{ChainCoverage, ChainFigures, ChainTracing, MergedStory};
    use crate::model::Trace;
    let mut builder =
        DigestBuilder::new(config(), window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    for pr in week() {
        builder.add_pr(&pr.events);
    }
    let stories: Vec<(String, u64, Vec<String>)> = builder
        .merged_stories()
        .iter()
        .map(|MergedStory { repo, pr, keys }| (repo.clone(), *pr, keys.clone()))
        .collect();
    let stories: Vec<(&str, u64, Vec<&str>)> =
        stories.iter().map(|(r, n, k)| (r.as_str(), *n, k.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        stories,
        [
            ("acme/shop", 1, vec!["SHOP-1"]),
            ("acme/shop", 2, vec!["SHOP-2"]),
            ("acme/api", 4, vec!["API-4"]),
            ("acme/api", 6, vec!["API-6"])
        ]
    );
    let traced = Trace::Traced { key: "SHOP-1".into(), okr: "OKR-1".into() };
    let broken = Trace::Broken {
        key: "SHOP-2".into(),
        at: Some("EPIC-2".into()),
        missing: Some("prd".into()),
        reason: "no PRD".into(),
    };
    let unseen = Trace::NotVerified { key: "API-4".into(), reason: "Jira is down".into() };
    builder.chain_tracing(ChainTracing::Traced {
        levels: ["story", "epic", "prd", "okr"].map(String::from).to_vec(),
        // #6 is not handed in: nobody looked it up.
        outcomes: vec![
            (("acme/shop".into(), 1), traced),
            (("acme/shop".into(), 2), broken),
            (("acme/api".into(), 4), unseen),
        ],
    });
    let d = builder.finish();
    assert_eq!(
        d.traceability.chains,
        ChainCoverage::Computed(ChainFigures {
            levels: ["story", "epic", "prd", "okr"].map(String::from).to_vec(),
            traced: 1,
            broken: 1,
            not_found: 0,
            not_verified: 2,
            traced_share: Some(0.2),
        })
    );
    // Low coverage is a finding, after the ones that explain waiting, within the five.
    assert_eq!(d.findings.len(), 5);
    let last = d.findings.last().expect("a finding");
    assert_eq!(wording::headline(&last.kind), "only 1 of 5 merged PRs (20%) trace all the way up to okr");
    assert_eq!(
        wording::suggestion(&last.kind),
        "2 could not be verified: check the trackers' credentials and that they answer, then run flowgate audit"
    );
    assert_eq!(
        wording::headline(&d.findings[0].kind),
        "61% of the waiting was on authors (172 h on authors, 112 h on reviewers)"
    );
}

#[test]
fn without_tracing_the_digest_says_the_full_chain_share_was_not_computed() {
    use crate::latency::{ChainCoverage, ChainTracing};
    let d = digest_of(config(), &week());
    assert!(matches!(&d.traceability.chains, ChainCoverage::NotComputed { reason } if reason.contains("not traced")));
    assert!(d.findings.iter().all(|f| !matches!(f.kind, FindingKind::LowChainCoverage { .. })));
    let mut builder =
        DigestBuilder::new(config(), window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    builder.chain_tracing(ChainTracing::NotComputed("the policy has no linkage.chain".into()));
    let d = builder.finish();
    assert_eq!(d.traceability.chains, ChainCoverage::not_computed("the policy has no linkage.chain"));
    let text = wording::chain_coverage(&d.traceability);
    assert_eq!(text, "The share with a full chain was not computed: the policy has no linkage.chain.");
}
