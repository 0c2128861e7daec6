//! "What changed" as each format shows it: the week where #103 waited a day on three reviewers
//! (the same story as `latency/tests/changes.rs`), a week slower across the board, and a first week.
//!
//! Wall-clock hours, UTC; window Monday 3 to Monday 10 March 2025. The eight weeks before each
//! had PRs answered after 2, 3 and 4 h.

use chrono::{DateTime, Days, TimeDelta, Utc};
use serde_json::Value;

use crate::latency::tests::support::{Pr, t, wall_clock};
use crate::latency::{Digest, DigestBuilder, Window};
use crate::report::digest::{Format, markdown, render, slack};

fn at(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M").to_string()
}

/// Opened on the Tuesday 09:00 of the week `weeks_back` before the window's, each reviewer
/// requested then and answering after the hours given.
fn pr(number: u64, weeks_back: u64, answers: &[(&str, i64)]) -> Pr {
    let opened = t("2025-03-04 09:00").checked_sub_days(Days::new(7 * weeks_back)).expect("a date");
    let mut pr = Pr::new(number, "ann").opened(&at(opened));
    for (reviewer, _) in answers {
        pr = pr.request(&at(opened), reviewer);
    }
    for (reviewer, hours) in answers {
        pr = pr.approve(&at(opened + TimeDelta::hours(*hours)), reviewer);
    }
    pr
}

fn digest(this_week: Vec<Pr>, history: bool) -> Digest {
    let mut prs = this_week;
    if history {
        for week in 1..=8u64 {
            prs.extend(
                [2, 3, 4].iter().enumerate().map(|(i, h)| pr(1000 + week * 10 + i as u64, week, &[("rev", *h)])),
            );
        }
    }
    let end = t("2025-03-10 00:00");
    let mut builder = DigestBuilder::new(wall_clock(), Window::new(t("2025-03-03 00:00"), end), end);
    for pr in &prs {
        builder.add_pr(&pr.events);
    }
    builder.finish()
}

fn slow_answers() -> Digest {
    let slow = pr(103, 0, &[("amy", 30), ("bo", 31), ("cy", 32)]);
    digest(vec![pr(101, 0, &[("rev", 2)]), pr(102, 0, &[("rev", 3)]), slow], true)
}

/// The Markdown from `## What changed` to the next heading.
fn section(text: &str) -> &str {
    let start = text.find("## What changed\n").unwrap_or_else(|| panic!("no section: {text}"));
    let rest = &text[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |n| n + 4);
    &rest[..end]
}

fn slack_block(digest: &Digest) -> String {
    let message = slack::render(digest);
    let blocks = message["blocks"].as_array().expect("blocks");
    let text = |b: &Value| b["text"]["text"].as_str().map(str::to_string);
    blocks.iter().filter_map(text).find(|t| t.starts_with("*What changed*")).expect("a What changed block")
}

#[test]
fn markdown_names_the_pr_that_moved_the_answers_median() {
    insta::assert_snapshot!(section(&markdown::render(&slow_answers())), @r"
    ## What changed

    - opened to first review: 3.0 h, unchanged on the week before (3.0 h), unchanged on the median of the 8 weeks before (3.0 h).
    - review requested to answered: 30.0 h, up 27.0 h on the week before (3.0 h), up 27.0 h on the median of the 8 weeks before (3.0 h). Most of the rise on the week before came from acme/shop#103 (+27.5 h, 2.5 h without it): left out, it takes back 27.5 h of 27.0 h.

    _Each stage's median this week against the week before and against the median of the weeks before. A PR's part is how far the median would move back without it. PRs are named only when those that moved it most, left out together, take back at least half of the change._
    ");
}

#[test]
fn slack_links_the_pr_it_names() {
    insta::assert_snapshot!(slack_block(&slow_answers()), @r"
    *What changed*
    • opened to first review: 3.0 h, unchanged on the week before (3.0 h), unchanged on the median of the 8 weeks before (3.0 h).
    • review requested to answered: 30.0 h, up 27.0 h on the week before (3.0 h), up 27.0 h on the median of the 8 weeks before (3.0 h). Most of the rise on the week before came from <https://github.com/acme/shop/pull/103|acme/shop#103> (+27.5 h, 2.5 h without it): left out, it takes back 27.5 h of 27.0 h.
    ");
}

#[test]
fn a_week_slower_across_the_board_names_no_pr_in_any_format() {
    // Every PR of the week answered 3 h later than the weeks before: 5, 6 and 7 h.
    let week = digest((0..3).map(|i| pr(201 + i, 0, &[("rev", 5 + i as i64)])).collect(), true);
    insta::assert_snapshot!(slack_block(&week), @r"
    *What changed*
    • opened to first review: 6.0 h, up 3.0 h on the week before (3.0 h), up 3.0 h on the median of the 8 weeks before (3.0 h). The rise on the week before is broad: left out, the PR that moved it most takes back 30 min of 3.0 h, so no PR is named.
    • review requested to answered: 6.0 h, up 3.0 h on the week before (3.0 h), up 3.0 h on the median of the 8 weeks before (3.0 h). The rise on the week before is broad: left out, the PR that moved it most takes back 30 min of 3.0 h, so no PR is named.
    ");
    let json: Value = serde_json::from_str(&render(Format::Json, &week)).expect("JSON");
    assert_eq!(json["changes"]["stages"][0]["cause"]["kind"], "broad");
    assert!(!section(&markdown::render(&week)).contains("acme/shop#"), "no PR named");
}

#[test]
fn the_first_week_says_there_is_nothing_to_compare() {
    let first = digest(vec![pr(1, 0, &[("rev", 5)])], false);
    insta::assert_snapshot!(section(&markdown::render(&first)), @r"
    ## What changed

    Nothing to compare with yet: no week before this one has these figures.
    ");
    insta::assert_snapshot!(slack_block(&first), @r"
    *What changed*
    Nothing to compare with yet: no week before this one has these figures.
    ");
    let json: Value = serde_json::from_str(&render(Format::Json, &first)).expect("JSON");
    assert_eq!(json["changes"]["stages"][0]["summary"], "opened to first review: 5.0 h; nothing to compare with.");
}
