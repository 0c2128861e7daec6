//! The audit's pure part: figures, roll-up, sample and rendering over hand-built chains.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use serde_json::json;

use super::render::{Format, render};
use super::*;
use crate::trackers::chain::{Levels, walk_with};
use crate::trackers::{Item, ItemState, StateCategory, TrackerError};

fn levels() -> Levels {
    Levels::new(["story", "epic", "prd", "okr"].map(String::from).to_vec(), &[]).expect("levels")
}

fn rules() -> ChainRules {
    ChainRules { levels: levels(), require: BTreeMap::new(), story_states: vec![StateCategory::Open] }
}

fn item(key: &str, kind: &str, parent: Option<&str>, done: bool) -> Item {
    let category = if done { StateCategory::Done } else { StateCategory::Open };
    Item {
        key: key.into(),
        title: format!("{key} title"),
        kinds: vec![kind.into()],
        state: ItemState { category, name: if done { "Done" } else { "To Do" }.into() },
        url: Some(format!("https://tracker.example/{key}")),
        parent: parent.map(String::from),
        links: Vec::new(),
    }
}

/// S-1 -> E-1 -> P-1 -> O-1; S-2 -> E-1; S-3 (done) -> E-2 -> P-2 -> O-2; S-4 -> E-3 (no parent);
/// S-5 missing; S-6 -> E-6 whose tracker fails.
fn chains() -> BTreeMap<String, Chain> {
    let items = [
        item("S-1", "story", Some("E-1"), false),
        item("S-2", "story", Some("E-1"), false),
        item("S-3", "story", Some("E-2"), true),
        item("S-4", "story", Some("E-3"), false),
        item("S-6", "story", Some("E-6"), false),
        item("E-1", "epic", Some("P-1"), false),
        item("E-2", "epic", Some("P-2"), false),
        item("E-3", "epic", None, false),
        item("P-1", "prd", Some("O-1"), false),
        item("P-2", "prd", Some("O-2"), false),
        item("O-1", "okr", None, false),
        item("O-2", "okr", None, false),
    ];
    let levels = levels();
    ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6"]
        .into_iter()
        .map(|start| {
            let chain = walk_with(start, &levels, |key| match key {
                "E-6" => Err(TrackerError::Timeout { after_ms: 5000 }),
                _ => items.iter().find(|i| i.key == key).cloned().ok_or(TrackerError::NotFound),
            });
            (start.to_string(), chain)
        })
        .collect()
}

fn pr(number: u64, keys: &[&str], lines: u64, hours: Option<f64>) -> MergedPr {
    MergedPr {
        number,
        title: format!("Change {number}"),
        url: format!("https://github.com/acme/shop/pull/{number}"),
        author: "ann".into(),
        merged_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + chrono::TimeDelta::hours(number as i64),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        exempt: None,
        changed_lines: lines,
        review_hours: hours,
    }
}

fn prs() -> Vec<MergedPr> {
    let mut bot = pr(11, &[], 3, None);
    bot.exempt = Some("author `dependabot[bot]` is exempt".into());
    vec![
        bot,
        pr(1, &["S-1"], 10, Some(2.0)),
        pr(2, &["S-2"], 20, Some(4.0)),
        pr(3, &["S-1"], 30, Some(9.0)),
        pr(4, &["S-3"], 100, None),
        pr(5, &["S-4"], 5, Some(1.0)),
        pr(6, &["S-5"], 5, Some(1.0)),
        pr(7, &["S-6"], 5, Some(1.0)),
        pr(8, &[], 5, Some(1.0)),
        // A missing key does not hide another key that traces.
        pr(9, &["S-5", "S-2"], 1, Some(3.0)),
        pr(10, &[], 7, None),
    ]
}

fn span() -> (DateTime<Utc>, DateTime<Utc>) {
    (Utc.with_ymd_and_hms(2026, 10, 22, 0, 0, 0).unwrap(), Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap())
}

fn the_audit(sample: Option<(usize, u64)>) -> Audit {
    audit("acme/shop", span(), &rules(), &prs(), &chains(), sample)
}

#[test]
fn coverage_counts_each_outcome_once_and_a_tracker_error_is_never_traced() {
    let a = the_audit(None);
    assert_eq!(
        a.coverage,
        Coverage { merged: 11, with_key: 8, traced: 5, broken: 1, not_verified: 1, exempt: 1, orphaned: 3 }
    );
    let by_number = |n: u64| a.prs.iter().find(|p| p.number == n).map(|p| p.trace.clone()).expect("listed");
    assert_eq!(by_number(7), Trace::NotVerified { key: "E-6".into(), reason: "no answer within 5000 ms".into() });
    assert_eq!(by_number(6), Trace::NotFound { key: "S-5".into() });
    assert_eq!(by_number(8), Trace::NoKey);
    assert_eq!(by_number(11), Trace::Exempt { reason: "author `dependabot[bot]` is exempt".into() });
    // A merged PR's story is usually done by now: that is no gap in its trace.
    assert_eq!(by_number(4), Trace::Traced { key: "S-3".into(), okr: "O-2".into() });
    assert_eq!(by_number(9), Trace::Traced { key: "S-2".into(), okr: "O-1".into() });
    match by_number(5) {
        Trace::Broken { key, at, missing, reason } => {
            assert_eq!((key.as_str(), at.as_deref(), missing.as_deref()), ("S-4", Some("E-3"), Some("prd")));
            assert_eq!(reason, "E-3 has no parent PRD");
        }
        other => panic!("PR 5 should be broken at E-3, got {other:?}"),
    }
    // Newest merge first.
    assert_eq!(a.prs.iter().map(|p| p.number).collect::<Vec<_>>(), vec![11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
}

#[test]
fn the_rollup_sums_work_per_okr_most_prs_first() {
    let a = the_audit(None);
    let rows: Vec<(&str, usize, u64, Option<f64>)> =
        a.okrs.iter().map(|o| (o.key.as_str(), o.prs, o.changed_lines, o.median_review_hours)).collect();
    assert_eq!(rows, vec![("O-1", 4, 61, Some(3.5)), ("O-2", 1, 100, None)]);
    assert_eq!(a.okrs[0].title, "O-1 title");
    assert_eq!(a.okrs[0].pr_numbers, vec![9, 3, 2, 1]);
}

#[test]
fn the_sample_is_reproducible_for_a_seed_and_differs_for_another() {
    let numbers: Vec<u64> = (1..=40).collect();
    let mut shuffled = numbers.clone();
    shuffled.reverse();
    let first = choose(&numbers, 10, DEFAULT_SEED);
    assert_eq!(first.len(), 10);
    assert_eq!(first, choose(&shuffled, 10, DEFAULT_SEED), "the listing's order does not matter");
    assert_ne!(first, choose(&numbers, 10, 7));
    let mut distinct = first.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 10, "no PR is chosen twice");
    assert_eq!(choose(&[3, 1, 2], 10, 1).len(), 3, "asking for more than there are gives them all");
    assert!(choose(&[], 10, 1).is_empty());
}

#[test]
fn the_markdown_has_the_figures_the_rollup_and_each_sampled_trace() {
    let a = the_audit(Some((3, DEFAULT_SEED)));
    let text = render(Format::Markdown, &a);
    assert!(text.contains("| Merged PRs | 11 | 100% |"), "{text}");
    assert!(text.contains("| Full chain up to okr | 5 | 45% |"), "{text}");
    assert!(text.contains("| Not verified (a tracker did not answer) | 1 | 9% |"), "{text}");
    assert!(text.contains("| [O-1 O-1 title](https://tracker.example/O-1) | 4 | 61 | 3.5 h | #9 #3 #2 #1 |"), "{text}");
    assert!(text.contains("- [#8 Change 8](https://github.com/acme/shop/pull/8) by @ann: no story key"), "{text}");
    assert_eq!(a.sample.len(), 3);
    for n in &a.sample {
        assert!(text.contains(&format!("- [#{n}](https://github.com/acme/shop/pull/{n}): #{n}")), "{text}");
    }
    let traced = a.prs.iter().find(|p| p.number == 1).expect("PR 1");
    assert_eq!(
        render::trace_line(traced),
        "#1 -> S-1 (story) 'S-1 title' -> E-1 (epic) 'E-1 title' -> P-1 (prd) 'P-1 title' -> O-1 (okr) 'O-1 title': traced up to O-1"
    );
}

#[test]
fn html_is_one_page_with_every_text_escaped() {
    let mut prs = prs();
    prs[8].title = "<script>alert(1)</script>".into();
    let a = audit("acme/shop", span(), &rules(), &prs, &chains(), None);
    let page = render(Format::Html, &a);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("src="), "self-contained: nothing loaded from elsewhere");
}

#[test]
fn json_carries_the_documented_field_names() {
    let a = the_audit(Some((2, 5)));
    let value: serde_json::Value = serde_json::from_str(&render(Format::Json, &a)).expect("json");
    assert_eq!(
        value["coverage"],
        json!({ "merged": 11, "with_key": 8, "traced": 5, "broken": 1, "not_verified": 1, "exempt": 1, "orphaned": 3 })
    );
    assert_eq!(value["okrs"][0]["key"], "O-1");
    assert_eq!(value["okrs"][0]["changed_lines"], 61);
    assert_eq!(value["sample_seed"], 5);
    let pr7 = value["prs"].as_array().expect("prs").iter().find(|p| p["number"] == 7).expect("PR 7").clone();
    assert_eq!(pr7["trace"], json!({ "status": "not_verified", "key": "E-6", "reason": "no answer within 5000 ms" }));
    assert_eq!(
        pr7["chain"][0],
        json!({ "key": "S-6", "level": "story", "title": "S-6 title", "url": "https://tracker.example/S-6" })
    );
}

#[test]
fn review_time_starts_when_a_draft_became_ready() {
    let pull = serde_json::from_value(
        json!({ "created_at": "2026-11-01T09:00:00Z", "head": { "ref": "b" }, "base": { "ref": "main" } }),
    )
    .expect("a pull");
    let ready = serde_json::from_value(json!({ "event": "ready_for_review", "created_at": "2026-11-02T09:00:00Z" }))
        .expect("a timeline item");
    assert_eq!(ready_at(&pull, &[]), Some(Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()));
    assert_eq!(ready_at(&pull, &[ready]), Some(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()));
}
