//! The digest's figures per AI tool, worked out by hand.
//!
//! Window Monday 3 to Monday 10 March 2025 (= now), UTC.
//!   #1 Claude Code: opened Mon 09:00, changes requested 11:00 (first review 2 h), new commits
//!      13:00 (a round), approved 15:00, merged 17:00 (open 8 h)
//!   #2 Claude Code and Copilot: opened Tue 09:00, approved 10:00 (1 h), merged 13:00 (open 4 h)
//!   #3 Copilot: opened Wed 09:00, closed unreviewed 15:00 (open 6 h)
//!   #4 AI declared, no tool: opened Thu 09:00, approved 12:00 (3 h), still open
//!   #5 no AI: opened Mon 09:00, approved 10:00 (1 h), merged 11:00 (open 2 h)
//!   #6 no AI: opened Tue 09:00, changes requested 12:00 (3 h), closed Wed 09:00 (open 24 h;
//!      8 working hours)
//!   #7 no AI, left out by its title: counted nowhere

use crate::latency::tests::support::{Pr, office_hours, t, wall_clock, window};
use crate::latency::{AiDeclared, DigestBuilder, Event, LatencyConfig, Spread, ToolFigures};

/// The PR's events with `tools` detected (none: only the declaration says AI).
pub(crate) fn made_with(pr: Pr, tools: &[&str], declared: AiDeclared) -> Vec<Event> {
    let mut events = pr.events;
    for event in &mut events {
        event.context.ai_tools = tools.iter().map(|t| t.to_string()).collect();
        event.context.ai_detected = !tools.is_empty();
        event.context.ai_declared = declared;
    }
    events
}

pub(crate) fn week() -> Vec<Vec<Event>> {
    use AiDeclared::Undeclared;
    vec![
        made_with(
            Pr::new(1, "ann")
                .opened("2025-03-03 09:00")
                .request("2025-03-03 09:00", "bob")
                .changes("2025-03-03 11:00", "bob")
                .commits("2025-03-03 13:00")
                .approve("2025-03-03 15:00", "bob")
                .merged("2025-03-03 17:00"),
            &["claude-code"],
            Undeclared,
        ),
        made_with(
            Pr::new(2, "ann").opened("2025-03-04 09:00").approve("2025-03-04 10:00", "bob").merged("2025-03-04 13:00"),
            // Written twice and in capitals: still one PR of each tool.
            &["claude-code", "copilot", "Copilot"],
            Undeclared,
        ),
        made_with(Pr::new(3, "ann").opened("2025-03-05 09:00").closed("2025-03-05 15:00"), &["copilot"], Undeclared),
        made_with(
            Pr::new(4, "ann").opened("2025-03-06 09:00").approve("2025-03-06 12:00", "bob"),
            &[],
            AiDeclared::Assisted,
        ),
        Pr::new(5, "cid")
            .opened("2025-03-03 09:00")
            .approve("2025-03-03 10:00", "bob")
            .merged("2025-03-03 11:00")
            .events,
        Pr::new(6, "cid")
            .opened("2025-03-04 09:00")
            .changes("2025-03-04 12:00", "bob")
            .closed("2025-03-05 09:00")
            .events,
        Pr::new(7, "cid").title("Revert the cache").opened("2025-03-04 09:00").merged("2025-03-04 10:00").events,
    ]
}

/// The week's digest on `config`'s clock, reverts by title left out.
pub(crate) fn digest(mut config: LatencyConfig) -> crate::latency::Digest {
    config.exclude.title_prefixes.push("Revert".to_string());
    let mut builder = DigestBuilder::new(config, window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    for pr in week() {
        builder.add_pr(&pr);
    }
    builder.finish()
}

fn by_tool(config: LatencyConfig) -> Vec<ToolFigures> {
    digest(config).by_tool
}

fn spread(count: usize, median: Option<f64>) -> (usize, Option<f64>) {
    (count, median)
}

fn medians(s: &Spread) -> (usize, Option<f64>) {
    (s.count, s.median)
}

#[test]
fn each_tool_has_its_merged_and_closed_prs_in_a_fixed_order() {
    let groups = by_tool(wall_clock());
    let names: Vec<&str> = groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(names, ["claude-code", "copilot", "ai_unknown", "human"], "tools by id, then no tool, then no AI");

    let claude = &groups[0];
    assert_eq!((claude.prs, claude.merged.prs, claude.closed_unmerged.prs, claude.merge_rate), (2, 2, 0, Some(1.0)));
    // Open 8 and 4 h, first reviews after 2 and 1 h, rounds 1 and 0.
    assert_eq!(medians(&claude.merged.open_hours), spread(2, Some(6.0)));
    assert_eq!(medians(&claude.merged.first_review_hours), spread(2, Some(1.5)));
    assert_eq!(medians(&claude.merged.review_rounds), spread(2, Some(0.5)));
    assert_eq!(medians(&claude.closed_unmerged.open_hours), spread(0, None));

    // #2 merged, #3 closed after 6 h with no review at all.
    let copilot = &groups[1];
    assert_eq!(
        (copilot.prs, copilot.merged.prs, copilot.closed_unmerged.prs, copilot.merge_rate),
        (2, 1, 1, Some(0.5))
    );
    assert_eq!(medians(&copilot.merged.open_hours), spread(1, Some(4.0)));
    assert_eq!(medians(&copilot.closed_unmerged.open_hours), spread(1, Some(6.0)));
    assert_eq!(medians(&copilot.closed_unmerged.first_review_hours), spread(0, None), "never reviewed");
    assert_eq!(medians(&copilot.closed_unmerged.review_rounds), spread(1, Some(0.0)));

    // #4 is still open: active, nothing ended, no rate.
    let unknown = &groups[2];
    assert_eq!((unknown.prs, unknown.merged.prs, unknown.closed_unmerged.prs, unknown.merge_rate), (1, 0, 0, None));

    // #5 merged after 2 h; #6 closed after 24 h, its changes request never answered; #7 left out.
    let human = &groups[3];
    assert_eq!((human.prs, human.merged.prs, human.closed_unmerged.prs, human.merge_rate), (2, 1, 1, Some(0.5)));
    assert_eq!(medians(&human.merged.open_hours), spread(1, Some(2.0)));
    assert_eq!(medians(&human.closed_unmerged.open_hours), spread(1, Some(24.0)));
    assert_eq!(medians(&human.closed_unmerged.first_review_hours), spread(1, Some(3.0)));
    assert_eq!(medians(&human.closed_unmerged.review_rounds), spread(1, Some(0.0)));
}

#[test]
fn the_figures_follow_the_digests_clock() {
    let groups = by_tool(office_hours());
    let human = groups.iter().find(|g| g.group == "human").expect("human");
    // Tuesday 09:00 to Wednesday 09:00 is one working day.
    assert_eq!(medians(&human.closed_unmerged.open_hours), spread(1, Some(8.0)));
}

#[test]
fn an_unnamed_tool_comes_after_the_named_ones_and_a_strange_id_counts_as_other() {
    let long = "x".repeat(200);
    let prs = [
        made_with(Pr::new(1, "ann").opened("2025-03-03 09:00"), &["other"], AiDeclared::Undeclared),
        made_with(Pr::new(2, "ann").opened("2025-03-03 09:00"), &[long.as_str()], AiDeclared::Undeclared),
        made_with(Pr::new(3, "ann").opened("2025-03-03 09:00"), &["zed"], AiDeclared::Undeclared),
    ];
    let mut builder =
        DigestBuilder::new(wall_clock(), window("2025-03-03 00:00", "2025-03-10 00:00"), t("2025-03-10 00:00"));
    for pr in &prs {
        builder.add_pr(pr);
    }
    let groups: Vec<(String, usize)> = builder.finish().by_tool.into_iter().map(|g| (g.group, g.prs)).collect();
    assert_eq!(groups, [("zed".to_string(), 1), ("other".to_string(), 2)]);
}
