//! The Slack message: Block Kit blocks with the findings and key figures, inside Slack's limits.

use serde_json::Value;

use super::fixture::{self, HOSTILE};
use crate::latency::findings::{Finding, FindingKind};
use crate::latency::{Reviewer, WaitingPr};
use crate::model::Login;
use crate::report::digest::slack::{MAX_BLOCKS, MAX_FIELD_TEXT, MAX_FIELDS, MAX_HEADER, MAX_TEXT, render};

fn blocks(message: &Value) -> &Vec<Value> {
    message["blocks"].as_array().expect("blocks")
}

fn texts(block: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(text) = block["text"]["text"].as_str() {
        out.push(text.to_string());
    }
    for list in ["fields", "elements"] {
        for item in block[list].as_array().into_iter().flatten() {
            out.extend(item["text"].as_str().map(str::to_string));
        }
    }
    out
}

#[test]
fn a_header_then_the_findings_then_figures_and_the_window() {
    let digest = fixture::week();
    let message = render(&digest);
    let blocks = blocks(&message);
    let kinds: Vec<&str> = blocks.iter().filter_map(|b| b["type"].as_str()).collect();
    assert_eq!(kinds[..3], ["header", "section", "divider"]);
    assert_eq!(blocks[0]["text"]["text"], "Review bottleneck digest, 3 Mar 2025 to 9 Mar 2025");
    assert_eq!(
        blocks[3]["text"]["text"],
        "*1. 61% of the waiting was on authors (172 h on authors, 112 h on reviewers).*\nAnswer change requests \
         sooner: push the fix or re-request review the same day."
    );
    let fields: Vec<String> = blocks.iter().find(|b| b["fields"].is_array()).map(texts).expect("figures");
    assert!(fields.contains(&"*PRs active*\n9".to_string()));
    assert!(fields.contains(&"*Median first review (hours)*\n4.0".to_string()));
    assert!(fields.contains(&"*Linked to a story*\n80%".to_string()));
    assert_eq!(kinds.last(), Some(&"context"));
    assert_eq!(texts(blocks.last().expect("context"))[0], "3 Mar 2025 to 9 Mar 2025 (hours, UTC) · flowgate");
    assert_eq!(message["text"], "Review bottleneck digest, 3 Mar 2025 to 9 Mar 2025");
    let waiting = blocks.iter().flat_map(texts).collect::<Vec<_>>().join("");
    assert!(waiting.contains("<https://github.com/acme/api/pull/20|acme/api#20>: 63 h, waiting on dave"));
}

#[test]
fn an_empty_week_is_a_header_a_line_and_the_window() {
    let message = render(&fixture::quiet_week());
    let blocks = blocks(&message);
    assert_eq!(blocks.len(), 3);
    assert_eq!(blocks[1]["text"]["text"], "No review activity in this window.");
}

#[test]
fn markup_in_names_is_escaped_for_slack() {
    let message = render(&fixture::hostile_week()).to_string();
    assert!(!message.contains("<script") && !message.contains("<b>"), "{message}");
    assert!(message.contains(&HOSTILE.replace('<', "&lt;").replace('>', "&gt;")), "{message}");
}

/// A digest far beyond any real week: every list huge, every sentence enormous.
#[test]
fn a_huge_digest_stays_within_slacks_limits() {
    let mut digest = fixture::week();
    let long = "waiting ".repeat(2_000);
    let finding = digest.findings[0].clone();
    // A repository's name is in both of a repository finding's sentences.
    digest.findings = (0..200)
        .map(|n| Finding {
            kind: FindingKind::RepoGap {
                repo: format!("{n} {long} <&>&amp;"),
                ratio: 2.0,
                repo_median_hours: 2.0,
                overall_median_hours: 1.0,
                prs: n,
            },
            ..finding.clone()
        })
        .collect();
    digest.longest_waiting = (0..5_000)
        .map(|n| WaitingPr {
            repo: format!("acme/{}", "r".repeat(300)),
            pr: n,
            tier: None,
            author: Login::new("ann"),
            waiting_hours: 1000.0,
            since: None,
            on: (0..50).map(|i| Reviewer::team(format!("team-{i}-{}", "x".repeat(100)))).collect(),
        })
        .collect();
    digest.timezone = "Z".repeat(10_000);
    let message = render(&digest);
    let blocks = blocks(&message);
    assert!(blocks.len() <= MAX_BLOCKS, "{} blocks", blocks.len());
    for block in blocks {
        if block["type"] == "header" {
            assert!(block["text"]["text"].as_str().expect("header").chars().count() <= MAX_HEADER);
        }
        if let Some(fields) = block["fields"].as_array() {
            assert!(fields.len() <= MAX_FIELDS);
            for field in fields {
                assert!(field["text"].as_str().expect("field").chars().count() <= MAX_FIELD_TEXT);
            }
        }
        for text in texts(block) {
            assert!(text.chars().count() <= MAX_TEXT, "{} characters", text.chars().count());
            assert!(!text.ends_with("&am…"), "a cut never splits an entity");
        }
    }
    assert!(message["text"].as_str().expect("fallback").chars().count() <= MAX_TEXT);
}

/// A team's message: its figures in each repository on that repository's clock, and nobody's own.
#[test]
fn a_teams_message_carries_team_figures_only() {
    let digest = fixture::per_repo_week();
    let per_repo = digest.per_repo.as_ref().expect("per repository");
    let team = crate::latency::team_digest("payments", per_repo);
    let message = crate::report::digest::team::render(&team, &digest);
    let text = message.to_string();
    assert_eq!(message["blocks"][0]["text"]["text"], "Review digest for @payments, 3 Mar 2025 to 9 Mar 2025");
    let blocks = message["blocks"].as_array().expect("blocks");
    assert!(blocks.len() <= crate::report::digest::slack::MAX_BLOCKS);
    let shop = blocks[1]["text"]["text"].as_str().unwrap_or_default();
    assert!(
        shop.starts_with("*acme/shop* (working hours, UTC)\nAuthored by the team: 4 PRs active, 2 merged"),
        "{shop}"
    );
    for person in ["ann", "ben", "alice", "bob", "carol", "dave", "erin"] {
        assert!(!text.contains(&format!("\"{person}")) && !text.contains(&format!(" {person}")), "{person}: {text}");
    }
    let quiet = crate::report::digest::team::render(&crate::latency::team_digest("@acme/none", per_repo), &digest);
    assert!(quiet.to_string().contains("No PR of @acme/none and no review request to it in this window"), "{quiet}");
}

#[test]
fn targets_tried_have_their_block_and_the_footer_names_what_was_left_out() {
    let message = render(&fixture::tried_and_excluded_week());
    let blocks = blocks(&message);
    let tried = blocks
        .iter()
        .flat_map(texts)
        .find(|t| t.starts_with("*Targets tried, not enforced*"))
        .expect("the tried targets' block");
    insta::assert_snapshot!(tried, @r"
    *Targets tried, not enforced*
    red: a first review within 4.0 h (hours): 3 of 3 PRs would have breached it over 3 weeks.
    • 2025-W08: no PR measured
    • 2025-W09: no PR measured
    • 2025-W10: 3 of 3 PRs would have breached it
    _A PR counts in a week when its first review came in it (breached if later than the target) or when, at the week's end, it was still waiting with its wait already past the target. These targets raise no finding and no alert._
    ");
    insta::assert_snapshot!(texts(blocks.last().expect("context"))[0], @"3 Mar 2025 to 9 Mar 2025 (hours, UTC) · flowgate · Left out: 3 PRs — 2 by author renovate[bot], 1 revert.");
}
