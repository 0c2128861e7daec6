//! The Markdown digest: findings first, the figures in tables, mermaid charts, names that never
//! notify anyone or inject markup.

use super::fixture::{self, HOSTILE};
use crate::report::digest::markdown::render;

#[test]
fn the_findings_come_first_with_their_figures_and_suggestions() {
    let digest = fixture::week();
    let text = render(&digest);
    assert!(text.starts_with("# Review bottleneck digest, 3 Mar 2025 to 9 Mar 2025\n\n## What to act on\n\n1. **"));
    let first_table = text.find("\n|").expect("a table");
    for n in 0..digest.findings.len() {
        let at = text.find(&format!("{}. **", n + 1)).expect("numbered finding");
        assert!(at < first_table, "finding {n} comes before the tables");
    }
    assert!(digest.findings.len() >= 3, "the week has three findings or more: {:?}", digest.findings);
    assert!(text.contains(
        "1. **61% of the waiting was on authors (172 h on authors, 112 h on reviewers).** Answer change requests \
         sooner: push the fix or re-request review the same day.\n"
    ));
    assert!(text.contains("Red-tier PRs wait 3.6x longer for a first review than yellow-tier PRs"));
}

#[test]
fn the_tables_carry_the_digests_figures() {
    let text = render(&fixture::week());
    assert!(text.contains("| opened to first review | 4.0 | 10.2 | 7 |"));
    assert!(text.contains("| all PRs | 112.0 (39%) | 172.0 (61%) |"));
    assert!(text.contains("| red tier | 3 | 2 | 9.0 | 11.4 | 12.5 | 27.0 | 110.0 | 0 |"));
    assert!(text.contains("| AI-assisted | 1 | 1 | 4.0 |"));
    assert!(text.contains("| acme/shop | 4 | 2 | 9.0 |"));
    assert!(text.contains("| payments | 4 | 2 |"));
    assert!(text.contains("| red | 8.0 h | 3 | 2 (67%) | 0 |"));
    assert!(text.contains("| acme/api#20 | yellow | `ben` | 63 h | `dave` |"));
    assert!(text.contains("| acme/shop#21 | green | `ann` | 12.0 h | _nobody requested_ |"));
    assert!(text.contains("4 of 5 merged PRs (80%) link to a story."));
    assert!(text.contains("| 2025-W10 | 2025-03-03 | 4.0 | 4.0 | 5.0 | 5 |"));
}

#[test]
fn reviewer_load_keeps_the_digests_order_not_a_speed_ranking() {
    let text = render(&fixture::week());
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| `")).take(5).collect();
    // dave answers faster than alice and bob, and is still listed first: he was asked most. A
    // person's answer wait is theirs alone, never in the team's digest.
    assert_eq!(
        rows,
        [
            "| `dave` | 3 | 2 | 1 | – |",
            "| `erin` | 2 | 2 | 0 | – |",
            "| `alice` | 1 | 2 | 0 | – |",
            "| `bob` | 1 | 1 | 0 | – |",
            "| `carol` | 1 | 1 | 0 | – |"
        ]
    );
}

#[test]
fn charts_are_mermaid_blocks_github_draws() {
    let text = render(&fixture::week());
    assert!(text.contains(
        "```mermaid\nxychart-beta\n    title \"Median time to first review by tier\"\n    x-axis [\"red\", \"yellow\"]\n    \
         y-axis \"hours\" 0 --> 10\n    bar [9, 2.5]\n```"
    ));
    assert!(text.contains("```mermaid\npie title Share of review requests received\n    \"dave\" : 3\n"));
    // The trend skips the week without a first review instead of drawing it as zero.
    assert!(text.contains("    x-axis [\"2025-W09\", \"2025-W10\"]\n    y-axis \"hours\" 0 --> 5\n    line [1, 4]\n"));
}

#[test]
fn the_unit_follows_the_digests_clock() {
    let calendar = render(&fixture::week());
    assert!(calendar.contains("median first review (hours)") && !calendar.contains("working hours"));
    let business = render(&fixture::working_week());
    assert!(business.contains("median first review (working hours)"));
    assert!(business.contains("y-axis \"working hours\""));
    assert!(business.contains("Times are working hours in UTC"));
}

#[test]
fn an_empty_week_says_so_in_one_line() {
    let text = render(&fixture::quiet_week());
    assert!(text.contains("No review activity in this window."));
    assert!(!text.contains('|') && !text.contains("```"), "no empty tables or charts:\n{text}");
}

#[test]
fn names_are_code_spans_and_markup_is_escaped() {
    let text = render(&fixture::hostile_week());
    // Inside a code span GitHub shows markup as text; outside one it is escaped.
    let code = format!("`{HOSTILE}`");
    assert!(text.contains(&code), "a login is shown as code, not run:\n{text}");
    let outside = text.replace(&code, "");
    assert!(!outside.contains("<script") && !outside.contains("<b>"), "{outside}");
    assert!(text.contains("| evil/&lt;b&gt;repo&lt;/b&gt;#7 | red | `mallory&co` |"));
    assert!(!text.contains("\"<script"), "mermaid labels drop markup characters");
}

#[test]
fn a_team_is_never_mentioned() {
    let mut digest = fixture::week();
    digest.longest_waiting[0].on = vec![crate::latency::Reviewer::team("acme/security")];
    let text = render(&digest);
    assert!(text.contains("`@acme/security`"));
    assert!(!text.contains(" @acme/security"));
}

/// The text from the `## heading` to the next heading.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text.find(&format!("## {heading}\n")).unwrap_or_else(|| panic!("no {heading}: {text}"));
    let rest = &text[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |n| n + 4);
    &rest[..end]
}

#[test]
fn each_repository_is_shown_under_its_own_settings_and_the_unmeasured_are_named() {
    let text = render(&fixture::per_repo_week());
    assert!(text.contains(
        "_The figures below count every repository together under the settings of .github/flowgate.yml on acme/eng@main;"
    ));
    insta::assert_snapshot!(section(&text, "Each repository under its own policy"), @r"
    ## Each repository under its own policy

    | repository | measured with | clock | PRs | merged | first review, median | first reviews late against its targets | past its target now |
    |---|---|---|--:|--:|--:|---|--:|
    | acme/api | .github/flowgate.yml on acme/api@main | hours, UTC | 5 | 3 | 2.5 h | red 8.0 h: 0 of 0 late; yellow 24.0 h: 0 of 4 late | 1 |
    | acme/shop | .github/flowgate.yml on acme/shop@main | working hours, UTC | 4 | 2 | 8.0 h | red 8.0 h: 0 of 3 late; yellow 24.0 h: 0 of 0 late | 0 |

    **Not measured**

    - acme/broken: its policy could not be read (line 2: \`soon\` is not a review-time target), so it is measured under no other repository's settings.
    - Only 3 repositories were measured under their own policy (\[digest\] max\_repos is 3); not measured: acme/zzz.
    ");
    // Without per-repository figures (`flowgate digest`), neither the note nor the section.
    let plain = render(&fixture::week());
    assert!(!plain.contains("Each repository under its own policy") && !plain.contains("count every repository"));
}

#[test]
fn targets_tried_have_their_section_and_the_footer_names_what_was_left_out() {
    let text = render(&fixture::tried_and_excluded_week());
    insta::assert_snapshot!(section(&text, "Targets tried, not enforced"), @r"
    ## Targets tried, not enforced

    **red: a first review within 4.0 h (hours): 3 of 3 PRs would have breached it over 3 weeks.**

    | week | would have breached | of PRs measured | late first reviews | still waiting past it at week end |
    |---|--:|--:|--:|--:|
    | 2025-W08 | 0 | 0 | 0 | 0 |
    | 2025-W09 | 0 | 0 | 0 | 0 |
    | 2025-W10 | 3 | 3 | 3 | 0 |

    _A PR counts in a week when its first review came in it (breached if later than the target) or when, at the week's end, it was still waiting with its wait already past the target. These targets raise no finding and no alert._
    ");
    let footer = &text[text.rfind("---\n").expect("a footer")..];
    insta::assert_snapshot!(footer, @r"
    ---
    _Times are wall-clock hours; weeks start on Monday in UTC._

    _Left out: 3 PRs — 2 by author renovate\[bot\], 1 revert._
    ");
    let plain = render(&fixture::week());
    assert!(!plain.contains("Targets tried") && !plain.contains("Left out"), "nothing tried, nothing left out");
}
