//! `latency.exclude` through `DigestBuilder`: a week of PRs where some match a rule, and every
//! figure counts only the others, while the digest says how many each rule left out.
//!
//! Wall-clock hours, UTC, window Monday 3 to Monday 10 March 2025 (= now). Counted:
//!   #1 ann, opened Mon 09:00, bob approves 13:00 (4 h), merged 14:00
//!   #5 ann, a draft Mon 09:00, ready Tue 09:00, bob approves 11:00 (2 h)
//!   #12 ann, `Revert something` (no quote: not the revert button), bob approves Wed 10:00 (1 h)
//! Left out (each would have been counted, with a slow first review of 40 h):
//!   #2 renovate[bot], #3 Renovate[Bot] (logins compare without case), #10 renovate[bot] with a
//!   revert's title (the first rule, authors, takes it), #4 a draft all its life, #6 `Revert "…"`,
//!   #7 `Chore(Release): 1.2` (titles without case), #8 from `dependabot/npm/x`, #9 labelled
//!   `No-Metrics`
//! Left out but outside the window: #11, labelled no-metrics, merged in February: not counted.

use crate::latency::tests::support::{Pr, t, wall_clock, window};
use crate::latency::{
    DigestBuilder, Event, EventKind, Exclusions, LatestEvaluation, LeftOut, PrContext, Rule, RuleCount,
};
use crate::model::{Enforcement, FailReason};

fn rules() -> Exclusions {
    Exclusions {
        drafts: true,
        reverts: true,
        title_prefixes: vec!["chore(release)".into(), "[bot]".into()],
        branch_prefixes: vec!["release-please--".into(), "dependabot/".into()],
        labels: vec!["no-metrics".into()],
        authors: vec!["renovate[bot]".into(), "release-bot".into()],
    }
}

/// A PR opened Tuesday 09:00 and first reviewed 40 hours later, then merged.
fn slow(pr: Pr) -> Pr {
    pr.opened("2025-03-04 09:00").approve("2025-03-06 01:00", "carol").merged("2025-03-06 02:00")
}

fn prs() -> Vec<Pr> {
    vec![
        Pr::new(1, "ann").opened("2025-03-03 09:00").approve("2025-03-03 13:00", "bob").merged("2025-03-03 14:00"),
        Pr::new(5, "ann").opened_draft("2025-03-03 09:00").ready("2025-03-04 09:00").approve("2025-03-04 11:00", "bob"),
        Pr::new(12, "ann").title("Revert something").opened("2025-03-05 09:00").approve("2025-03-05 10:00", "bob"),
        slow(Pr::new(2, "renovate[bot]")),
        slow(Pr::new(3, "Renovate[Bot]")),
        slow(Pr::new(10, "renovate[bot]").title("Revert \"Bump x\"")),
        Pr::new(4, "ann").opened_draft("2025-03-04 09:00").closed("2025-03-05 09:00"),
        slow(Pr::new(6, "ann").title("Revert \"Add the cart\"")),
        slow(Pr::new(7, "ann").title("Chore(Release): 1.2")),
        slow(Pr::new(8, "ann").branch("dependabot/npm/x")),
        slow(Pr::new(9, "ann").label("No-Metrics")),
        Pr::new(11, "ann").label("no-metrics").opened("2025-02-03 09:00").merged("2025-02-03 10:00"),
    ]
}

fn digest(exclude: Exclusions, evaluations: &[LatestEvaluation]) -> crate::latency::Digest {
    let mut config = wall_clock();
    config.exclude = exclude;
    let mut builder = DigestBuilder::new(config, window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    for pr in prs() {
        builder.add_pr(&pr.events);
    }
    builder.evaluations(evaluations);
    builder.finish()
}

fn shadow_failed(pr: u64) -> LatestEvaluation {
    LatestEvaluation {
        repo: "acme/shop".into(),
        pr,
        enforcement: Enforcement::Evaluate,
        failed: true,
        reasons: vec![FailReason::NoStory],
    }
}

#[test]
fn a_pr_matching_a_rule_is_in_no_figure_and_counted_under_its_first_rule() {
    let evaluations = [shadow_failed(1), shadow_failed(2), shadow_failed(9)];
    let d = digest(rules(), &evaluations);
    assert_eq!((d.totals.prs_active, d.totals.opened, d.totals.merged), (3, 3, 1), "{:?}", d.totals);
    assert_eq!(d.totals.closed_unmerged, 0, "the draft closed unreviewed is left out");
    let first = &d.overall.first_review_hours;
    assert_eq!((first.count, first.median), (3, Some(2.0)), "4, 2 and 1 hours; no 40-hour wait");
    assert_eq!(d.by_repo.len(), 1);
    assert_eq!(d.by_repo[0].prs, 3);
    assert!(d.reviewers.iter().all(|r| r.reviewer.name() != "carol"), "carol reviewed only PRs left out");
    assert!(d.trend.iter().all(|w| w.first_review_hours.count <= 3));
    assert_eq!(d.trend.iter().map(|w| w.merged).sum::<usize>(), 1, "#11's merge in February is left out of the trend");
    let shadow = d.shadow.as_ref().expect("shadow figures");
    assert_eq!((shadow.prs_evaluated, shadow.would_fail), (1, 1), "#2 and #9 are left out of shadow mode's counts");

    let rule =
        |rule, prs, values: &[&str]| RuleCount { rule, prs, values: values.iter().map(|v| v.to_string()).collect() };
    let expected = LeftOut {
        prs: 8,
        rules: vec![
            rule(Rule::Authors, 3, &["renovate[bot]"]),
            rule(Rule::Drafts, 1, &[]),
            rule(Rule::Reverts, 1, &[]),
            rule(Rule::TitlePrefixes, 1, &["chore(release)"]),
            rule(Rule::BranchPrefixes, 1, &["dependabot/"]),
            rule(Rule::Labels, 1, &["no-metrics"]),
        ],
    };
    assert_eq!(d.left_out, Some(expected));
    let json = serde_json::to_value(&d).expect("JSON");
    assert_eq!(json["left_out"]["prs"], 8);
    assert_eq!(json["left_out"]["rules"][0]["rule"], "authors");
}

#[test]
fn without_rules_every_pr_counts_and_nothing_is_said() {
    let d = digest(Exclusions::default(), &[shadow_failed(1), shadow_failed(2)]);
    assert_eq!(d.totals.prs_active, 11, "all but #11, merged in February");
    assert_eq!(d.overall.first_review_hours.count, 10);
    assert_eq!(d.left_out, None);
    assert_eq!(d.shadow.as_ref().map(|s| s.prs_evaluated), Some(2));
    assert!(serde_json::to_value(&d).expect("JSON").get("left_out").is_none());
}

#[test]
fn each_rule_alone_matches_what_it_says() {
    let context = |author: &str, title: Option<&str>, branch: Option<&str>, labels: &[&str]| PrContext {
        author: crate::model::Login::new(author),
        title: title.map(String::from),
        head_branch: branch.map(String::from),
        labels: labels.iter().map(|l| l.to_string()).collect(),
        ..PrContext::default()
    };
    let r = rules();
    let rule = |c: &PrContext, never_ready: bool| {
        r.matches(c, never_ready).map(|(rule, value)| (rule, value.map(String::from)))
    };
    assert_eq!(rule(&context("ann", Some("Revert \"x\""), None, &[]), false), Some((Rule::Reverts, None)));
    assert_eq!(rule(&context("ann", Some("revert \"x\""), None, &[]), false), None, "GitHub's button writes Revert");
    assert_eq!(
        rule(&context("ann", Some("[BOT] sync"), None, &[]), false),
        Some((Rule::TitlePrefixes, Some("[bot]".into())))
    );
    assert_eq!(rule(&context("ann", Some("fix [bot]"), None, &[]), false), None, "a prefix, not anywhere");
    assert_eq!(
        rule(&context("ann", None, Some("release-please--branches--main"), &[]), false),
        Some((Rule::BranchPrefixes, Some("release-please--".into())))
    );
    assert_eq!(rule(&context("ann", None, Some("Dependabot/npm"), &[]), false), None, "branches compare exactly");
    assert_eq!(
        rule(&context("ann", None, None, &["bug", "NO-METRICS"]), false),
        Some((Rule::Labels, Some("no-metrics".into())))
    );
    assert_eq!(rule(&context("release-bot", None, None, &[]), true), Some((Rule::Authors, Some("release-bot".into()))));
    assert_eq!(rule(&context("ann", None, None, &[]), true), Some((Rule::Drafts, None)));
    assert_eq!(rule(&context("ann", None, None, &[]), false), None);
    assert_eq!(Exclusions::default().matches(&context("ann", Some("Revert \"x\""), None, &[]), true), None);
}

/// Rows stored before the title, branch and labels were recorded still read, as contexts
/// without them; new rows carry them, and write nothing for what they lack.
#[test]
fn events_stored_without_title_branch_or_labels_still_read() {
    let old = r#"{"id":"d1","repo":"acme/shop","pr":7,"at":"2025-03-03T09:00:00Z","actor":{"login":"ann","bot":false},"context":{"author":"ann","tier":"red","ai_declared":"undeclared","ai_detected":false,"ai_tools":[],"story_keys":[]},"event":"opened","draft":false}"#;
    let event: Event = serde_json::from_str(old).expect("an old row reads");
    assert_eq!((event.context.title.as_deref(), event.context.head_branch.as_deref()), (None, None));
    assert!(event.context.labels.is_empty() && !event.context.described());
    assert_eq!(event.kind, EventKind::Opened { draft: false });
    assert!(!serde_json::to_string(&event).expect("JSON").contains("title"), "nothing written for what it lacks");

    let mut new = event.clone();
    new.context.title = Some("Revert \"x\"".into());
    new.context.head_branch = Some("revert-12".into());
    new.context.labels = vec!["no-metrics".into()];
    let back: Event = serde_json::from_str(&serde_json::to_string(&new).expect("JSON")).expect("reads back");
    assert_eq!(back, new);
}
