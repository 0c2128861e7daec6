//! The figures per AI tool in each format, over the week of `latency/tests/tools.rs` (Claude
//! Code merged twice, Copilot merged once and closed once, AI with no tool still open, two PRs
//! without AI: one merged, one closed after a changes request), on wall-clock hours.

use crate::latency::tests::support::wall_clock;
use crate::latency::tests::tools::digest;
use crate::report::digest::{Format, html, markdown, render, slack};

/// The text from the `## heading` to the next heading.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text.find(&format!("## {heading}\n")).unwrap_or_else(|| panic!("no {heading}: {text}"));
    let rest = &text[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |n| n + 4);
    &rest[..end]
}

#[test]
fn markdown_has_a_row_per_tool_and_way_its_prs_ended() {
    let text = markdown::render(&digest(wall_clock()));
    insta::assert_snapshot!(section(&text, "By AI tool"), @r#"
    ## By AI tool

    | made with | PRs | merge rate | ended | PRs ended so | median open to merge or close (hours) | median first review (hours) | median review rounds |
    |---|--:|--:|---|--:|--:|--:|--:|
    | Claude Code | 2 | 100% | merged | 2 | 6.0 | 1.5 | 0.5 |
    |  |  |  | closed unmerged | 0 | – | – | – |
    | GitHub Copilot | 2 | 50% | merged | 1 | 4.0 | 1.0 | 0.0 |
    |  |  |  | closed unmerged | 1 | 6.0 | – | 0.0 |
    | AI, tool unknown | 1 | – | merged | 0 | – | – | – |
    |  |  |  | closed unmerged | 0 | – | – | – |
    | human (no AI) | 2 | 50% | merged | 1 | 2.0 | 1.0 | 0.0 |
    |  |  |  | closed unmerged | 1 | 24.0 | 3.0 | 0.0 |

    _A PR made with two tools counts under each. "AI, tool unknown" is AI use declared or detected with no tool named; "human (no AI)" is neither. Merge rate is of the PRs merged or closed in the window. The groups keep this order whatever their figures._
    "#);
}

#[test]
fn slack_has_a_line_per_tool() {
    let message = slack::render(&digest(wall_clock()));
    let blocks = message["blocks"].as_array().expect("blocks");
    let text = blocks
        .iter()
        .filter_map(|b| b["text"]["text"].as_str())
        .find(|t| t.starts_with("*By AI tool*"))
        .expect("the per-tool block");
    insta::assert_snapshot!(text, @r#"
    *By AI tool*
    • Claude Code: 2 PRs, merge rate 100%. Merged 2: 6.0 h open, first review after 1.5 h, 0.5 review rounds (medians). Closed unmerged: none.
    • GitHub Copilot: 2 PRs, merge rate 50%. Merged 1: 4.0 h open, first review after 1.0 h, 0.0 review rounds (medians). Closed unmerged 1: 6.0 h open, never reviewed, 0.0 review rounds (medians).
    • AI, tool unknown: 1 PR, merge rate –. Merged: none. Closed unmerged: none.
    • human (no AI): 2 PRs, merge rate 50%. Merged 1: 2.0 h open, first review after 1.0 h, 0.0 review rounds (medians). Closed unmerged 1: 24.0 h open, first review after 3.0 h, 0.0 review rounds (medians).
    _A PR made with two tools counts under each. "AI, tool unknown" is AI use declared or detected with no tool named; "human (no AI)" is neither. Merge rate is of the PRs merged or closed in the window. The groups keep this order whatever their figures._
    "#);
}

#[test]
fn html_and_json_carry_the_same_groups_and_a_quiet_week_has_no_section() {
    let week = digest(wall_clock());
    let page = html::render(&week);
    assert!(page.contains("<h2>By AI tool</h2>"), "{page}");
    assert!(
        page.contains(
            "<tr class=\"group-start\" data-group=\"copilot\"><td>GitHub Copilot</td><td class=\"num\">2</td>\
             <td class=\"num\">50%</td><td>merged</td><td class=\"num\">1</td><td class=\"num\">4.0</td>\
             <td class=\"num\">1.0</td><td class=\"num\">0.0</td></tr>"
        ),
        "{page}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json, &week)).expect("JSON");
    let groups: Vec<&str> =
        json["by_tool"].as_array().expect("by_tool").iter().filter_map(|g| g["group"].as_str()).collect();
    assert_eq!(groups, ["claude-code", "copilot", "ai_unknown", "human"]);
    assert_eq!(json["by_tool"][1]["closed_unmerged"]["open_hours"]["median"], 6.0);

    let quiet = super::fixture::quiet_week();
    assert!(quiet.by_tool.is_empty());
    for format in Format::ALL {
        assert!(!render(format, &quiet).contains("By AI tool"), "{format}");
    }
}
