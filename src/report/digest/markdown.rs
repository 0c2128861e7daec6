//! The digest as GitHub-flavoured Markdown for a weekly issue: the findings first, then tables,
//! with mermaid charts that GitHub draws in place.

use super::common::{Column, GroupColumns, Notice, is_quiet, median, number, p90, window_days};
use crate::latency::digest::{Digest, GroupFigures};
use crate::wording::digest::ladder as wl;
use crate::wording::digest::repos as wr;
use crate::wording::digest::shadow as ws;
use crate::wording::digest::tried as wt;
use crate::wording::digest::{self as w, hours, percent};
use crate::wording::shadow as shadow_words;

/// Without a notice: the tests' shorthand (the surfaces call `super::render`).
#[cfg(test)]
pub fn render(digest: &Digest) -> String {
    render_with(digest, None)
}

/// The digest with `notice` quoted above it, where an issue's reader sees it first.
pub fn render_with(digest: &Digest, notice: Option<&Notice>) -> String {
    let body = page(digest);
    match notice {
        Some(Notice(notice)) => format!("> **{}** {notice}\n\n{body}", w::WARNING),
        None => body,
    }
}

fn page(digest: &Digest) -> String {
    let (first, last) = window_days(digest);
    let unit = w::unit(digest.clock);
    let mut out = format!("# {}\n\n", w::title(&first, &last));
    if is_quiet(digest) {
        out.push_str(&format!("{}\n\n_{}_\n", w::EMPTY_WEEK, w::clock_note(digest)));
        left_out(&mut out, digest);
        return out;
    }
    findings(&mut out, digest);
    out.push_str(&format!("{}\n\n", w::summary(&digest.totals)));
    if let Some(per_repo) = &digest.per_repo {
        out.push_str(&format!("_{}_\n\n", text(&wr::overall_settings(per_repo))));
    }
    stages(&mut out, digest, unit);
    super::changes::markdown(&mut out, digest);
    by_tier(&mut out, digest, unit);
    heading(&mut out, w::BY_AI);
    let ai: Vec<(String, Option<f64>)> =
        digest.by_ai.iter().map(|g| (w::group(&g.group), g.first_review_hours.median)).collect();
    bar_chart(&mut out, w::CHART_AI, &ai, unit);
    groups(&mut out, &digest.by_ai, unit);
    super::tools::markdown(&mut out, digest, unit);
    heading(&mut out, w::BY_REPO);
    groups(&mut out, &digest.by_repo, unit);
    if let Some(per_repo) = &digest.per_repo {
        each_repo(&mut out, per_repo);
    }
    heading(&mut out, w::BY_TEAM);
    groups(&mut out, &digest.by_team, unit);
    reviewers(&mut out, digest, unit);
    targets(&mut out, digest);
    tried(&mut out, digest, unit);
    longest(&mut out, digest);
    heading(&mut out, w::TRACEABILITY);
    out.push_str(&format!("{}\n\n", w::traceability(&digest.traceability)));
    out.push_str(&format!("{}\n\n", text(&w::chain_coverage(&digest.traceability))));
    shadow(&mut out, digest);
    ladder(&mut out, digest);
    super::hygiene::markdown(&mut out, digest);
    trend(&mut out, digest, unit);
    out.push_str(&format!("---\n_{}_\n", w::clock_note(digest)));
    left_out(&mut out, digest);
    out
}

/// The footer's count of the PRs `latency.exclude` left out, by rule.
fn left_out(out: &mut String, digest: &Digest) {
    if let Some(left_out) = &digest.left_out {
        out.push_str(&format!("\n_{}_\n", text(&wt::left_out(left_out))));
    }
}

/// Each target tried, not enforced: week by week, the PRs of its tier that would have breached it.
fn tried(out: &mut String, digest: &Digest, unit: &str) {
    if digest.tried_targets.is_empty() {
        return;
    }
    heading(out, wt::TRIED);
    for t in &digest.tried_targets {
        out.push_str(&format!("**{}**\n\n", text(&wt::tried_summary(t, unit))));
        table_head(
            out,
            &[
                Column::Text(wt::COL_WEEK),
                Column::Num(wt::COL_WOULD_BREACH),
                Column::Num(wt::COL_OUT_OF),
                Column::Num(wt::COL_LATE_REVIEWS),
                Column::Num(wt::COL_STILL_WAITING),
            ],
        );
        for week in &t.weeks {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                week.week, week.breached, week.out_of, week.late, week.waiting_over
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("_{}_\n\n", text(wt::TRIED_NOTE)));
}

/// The PRs of repositories in shadow mode that would have failed, and why; only when there were
/// any evaluated in shadow mode.
fn shadow(out: &mut String, digest: &Digest) {
    let Some(figures) = &digest.shadow else { return };
    heading(out, ws::SHADOW);
    out.push_str(&format!("{}\n\n", text(&ws::summary(figures))));
    if !figures.reasons.is_empty() {
        table_head(out, &[Column::Text(ws::COL_REASON), Column::Num(w::COL_PRS)]);
        for r in &figures.reasons {
            out.push_str(&format!("| {} | {} |\n", text(shadow_words::fail_reason(r.reason)), r.prs));
        }
        out.push('\n');
    }
    out.push_str(&format!("{}\n\n", text(ws::NEVER_BLOCKED)));
}

/// What the review SLO ladder did, per tier in the fixed order; only when it did anything.
fn ladder(out: &mut String, digest: &Digest) {
    let Some(figures) = &digest.ladder else { return };
    heading(out, wl::LADDER);
    out.push_str(&format!("{}\n\n", text(&wl::summary(figures))));
    table_head(
        out,
        &[
            Column::Text(wl::COL_TIER),
            Column::Text(wl::COL_REMINDERS),
            Column::Num(wl::COL_CHANNEL),
            Column::Num(wl::COL_REASSIGNED),
            Column::Text(wl::COL_SKIPPED),
            Column::Num(wl::COL_FAILED),
        ],
    );
    for t in &figures.tiers {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            text(&wl::tier(t)),
            text(&wl::reminders(t)),
            t.channel_messages,
            t.reassignments,
            text(&wl::skipped(t)),
            t.failed
        ));
    }
    out.push('\n');
}

/// Each repository's figures under its own policy, then the repositories not measured and why.
fn each_repo(out: &mut String, per_repo: &crate::latency::PerRepo) {
    heading(out, wr::PER_REPO);
    if !per_repo.repos.is_empty() {
        table_head(
            out,
            &[
                Column::Text(wr::COL_REPOSITORY),
                Column::Text(wr::COL_SETTINGS),
                Column::Text(wr::COL_CLOCK),
                Column::Num(w::COL_PRS),
                Column::Num(w::COL_MERGED),
                Column::Num(wr::COL_FIRST_REVIEW),
                Column::Text(wr::COL_TARGETS),
                Column::Num(wr::COL_PAST_TARGET),
            ],
        );
        for r in &per_repo.repos {
            let past: usize = r.targets.iter().map(|t| t.waiting_over_target_now).sum();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {past} |\n",
                text(&r.repo),
                text(&r.settings),
                text(&wr::clock(r.clock, &r.timezone)),
                r.overall.prs,
                r.overall.merged,
                r.overall.first_review_hours.median.map_or_else(|| "–".to_string(), hours),
                text(&wr::targets(&r.targets)),
            ));
        }
        out.push('\n');
    }
    if !per_repo.unread.is_empty() || !per_repo.over_cap.is_empty() {
        out.push_str(&format!("**{}**\n\n", wr::NOT_MEASURED));
        for u in &per_repo.unread {
            out.push_str(&format!("- {}\n", text(&wr::unread(&u.repo, &u.reason))));
        }
        if !per_repo.over_cap.is_empty() {
            out.push_str(&format!("- {}\n", text(&wr::over_cap(per_repo.cap, &per_repo.over_cap))));
        }
        out.push('\n');
    }
}

fn heading(out: &mut String, text: &str) {
    out.push_str(&format!("## {text}\n\n"));
}

/// A table's heading row and the row that aligns its columns.
fn table_head(out: &mut String, columns: &[Column<'_>]) {
    let (mut names, mut align) = (Vec::new(), Vec::new());
    for column in columns {
        let (name, line) = match column {
            Column::Text(name) => (name, "---"),
            Column::Num(name) => (name, "--:"),
        };
        names.push(*name);
        align.push(line);
    }
    out.push_str(&format!("| {} |\n|{}|\n", names.join(" | "), align.join("|")));
}

fn findings(out: &mut String, digest: &Digest) {
    heading(out, w::FINDINGS);
    if digest.findings.is_empty() {
        out.push_str(&format!("{}\n\n", w::NO_FINDINGS));
        return;
    }
    for (n, finding) in digest.findings.iter().enumerate() {
        out.push_str(&format!(
            "{}. **{}** {}\n",
            n + 1,
            text(&w::sentence(&w::headline(&finding.kind))),
            text(&w::sentence(&w::suggestion(&finding.kind)))
        ));
    }
    out.push('\n');
}

fn stages(out: &mut String, digest: &Digest, unit: &str) {
    heading(out, w::STAGES);
    let all = &digest.overall;
    table_head(
        out,
        &[
            Column::Text(w::COL_STAGE),
            Column::Num(&w::col_median(unit)),
            Column::Num(&w::col_p90(unit)),
            Column::Num(w::COL_MEASURED),
        ],
    );
    for (stage, spread) in [
        (w::STAGE_FIRST_REVIEW, &all.first_review_hours),
        (w::STAGE_RESPONSE, &all.review_response_hours),
        (w::STAGE_APPROVAL_TO_MERGE, &all.approval_to_merge_hours),
        (w::STAGE_OPEN_TO_MERGE, &all.open_to_merge_hours),
        (w::STAGE_ROUNDS, &all.review_rounds),
    ] {
        out.push_str(&format!("| {stage} | {} | {} | {} |\n", median(spread), p90(spread), spread.count));
    }
    let total = all.waiting_on_reviewers_hours + all.waiting_on_author_hours;
    out.push('\n');
    table_head(out, &[Column::Text(&w::col_waiting(unit)), Column::Num(w::ON_REVIEWERS), Column::Num(w::ON_AUTHORS)]);
    out.push_str(&format!(
        "| {} | {} | {} |\n",
        w::ALL_PRS,
        share_of(all.waiting_on_reviewers_hours, total),
        share_of(all.waiting_on_author_hours, total)
    ));
    for group in &digest.by_tier {
        let total = group.waiting_on_reviewers_hours + group.waiting_on_author_hours;
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            text(&w::group(&group.group)),
            share_of(group.waiting_on_reviewers_hours, total),
            share_of(group.waiting_on_author_hours, total)
        ));
    }
    out.push('\n');
}

/// `112.0 (39%)`: the hours and their part of the whole.
fn share_of(value: f64, total: f64) -> String {
    if total > 0.0 { format!("{} ({})", number(value), percent(value / total)) } else { number(value) }
}

fn by_tier(out: &mut String, digest: &Digest, unit: &str) {
    heading(out, w::BY_TIER);
    let bars: Vec<(String, Option<f64>)> =
        digest.by_tier.iter().map(|g| (g.group.clone(), g.first_review_hours.median)).collect();
    bar_chart(out, w::CHART_TIERS, &bars, unit);
    groups(out, &digest.by_tier, unit);
}

fn groups(out: &mut String, groups: &[GroupFigures], unit: &str) {
    if groups.is_empty() {
        out.push_str(&format!("{}\n\n", w::NO_DATA));
        return;
    }
    table_head(out, &GroupColumns::new(unit).columns());
    for g in groups {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            text(&w::group(&g.group)),
            g.prs,
            g.merged,
            median(&g.first_review_hours),
            p90(&g.first_review_hours),
            median(&g.open_to_merge_hours),
            number(g.waiting_on_reviewers_hours),
            number(g.waiting_on_author_hours),
            g.awaiting_first_review_now
        ));
    }
    out.push('\n');
}

fn reviewers(out: &mut String, digest: &Digest, unit: &str) {
    heading(out, w::REVIEWERS);
    out.push_str(&format!("{}\n\n", w::REVIEWERS_NOTE));
    if digest.reviewers.is_empty() {
        out.push_str(&format!("{}\n\n", w::NO_DATA));
        return;
    }
    let slices: Vec<(String, usize)> = digest
        .reviewers
        .iter()
        .filter(|r| r.requests_received > 0)
        .map(|r| (r.reviewer.name(), r.requests_received))
        .collect();
    if !slices.is_empty() {
        out.push_str(&format!("```mermaid\npie title {}\n", mermaid_text(w::CHART_LOAD_SHARE)));
        for (name, count) in slices {
            out.push_str(&format!("    \"{}\" : {count}\n", mermaid_text(&name)));
        }
        out.push_str("```\n\n");
    }
    table_head(
        out,
        &[
            Column::Text(w::COL_REVIEWER),
            Column::Num(w::COL_REQUESTS_RECEIVED),
            Column::Num(w::COL_REVIEWS_GIVEN),
            Column::Num(w::COL_WAITING_ON_THEM),
            Column::Num(&w::col_answer_wait(unit)),
        ],
    );
    for r in &digest.reviewers {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            code(&r.reviewer.name()),
            r.requests_received,
            r.reviews_given,
            r.open_queue_now,
            median(&r.response_hours)
        ));
    }
    out.push('\n');
}

fn targets(out: &mut String, digest: &Digest) {
    if digest.targets.is_empty() {
        return;
    }
    heading(out, w::TARGETS);
    table_head(
        out,
        &[
            Column::Text(w::COL_TIER),
            Column::Num(w::COL_TARGET),
            Column::Num(w::COL_FIRST_REVIEWS),
            Column::Num(w::COL_LATE),
            Column::Num(w::COL_PAST_TARGET),
        ],
    );
    for t in &digest.targets {
        let late = if t.first_reviews > 0 {
            format!("{} ({})", t.breached, percent(t.breached as f64 / t.first_reviews as f64))
        } else {
            t.breached.to_string()
        };
        out.push_str(&format!(
            "| {} | {} | {} | {late} | {} |\n",
            t.tier,
            hours(t.target_hours),
            t.first_reviews,
            t.waiting_over_target_now
        ));
    }
    out.push('\n');
}

fn longest(out: &mut String, digest: &Digest) {
    heading(out, w::LONGEST);
    if digest.longest_waiting.is_empty() {
        out.push_str(&format!("{}\n\n", w::NOBODY_WAITING));
        return;
    }
    table_head(
        out,
        &[
            Column::Text(w::COL_PR),
            Column::Text(w::COL_TIER),
            Column::Text(w::COL_AUTHOR),
            Column::Num(w::COL_WAITING),
            Column::Text(w::COL_WAITING_ON),
        ],
    );
    for pr in &digest.longest_waiting {
        let on = if pr.on.is_empty() {
            format!("_{}_", w::NOBODY_ASKED)
        } else {
            pr.on.iter().map(|r| code(&r.name())).collect::<Vec<_>>().join(", ")
        };
        out.push_str(&format!(
            "| {}#{} | {} | {} | {} | {on} |\n",
            text(&pr.repo),
            pr.pr,
            pr.tier.map_or("–", |t| t.id()),
            code(pr.author.as_str()),
            hours(pr.waiting_hours)
        ));
    }
    out.push('\n');
}

fn trend(out: &mut String, digest: &Digest, unit: &str) {
    if digest.trend.is_empty() {
        return;
    }
    heading(out, w::TREND);
    // The line skips weeks without a first review rather than drawing them as zero hours; the
    // table below lists every week.
    let points: Vec<(String, f64)> =
        digest.trend.iter().filter_map(|wk| wk.first_review_hours.median.map(|m| (wk.week.clone(), m))).collect();
    if points.len() >= 2 {
        let max = points.iter().map(|(_, v)| *v).fold(0.0, f64::max);
        out.push_str(&format!(
            "```mermaid\nxychart-beta\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\" 0 --> {}\n    line [{}]\n```\n\n",
            mermaid_text(w::CHART_TREND_FIRST_REVIEW),
            points.iter().map(|(week, _)| format!("\"{}\"", mermaid_text(week))).collect::<Vec<_>>().join(", "),
            mermaid_text(unit),
            axis_top(max),
            points.iter().map(|(_, v)| v.to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    table_head(
        out,
        &[
            Column::Text(w::COL_WEEK),
            Column::Text(w::COL_STARTS_ON),
            Column::Num(&w::col_first_review(unit)),
            Column::Num(&w::col_answer(unit)),
            Column::Num(&w::col_open_to_merge(unit)),
            Column::Num(w::COL_MERGED),
        ],
    );
    for wk in &digest.trend {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            text(&wk.week),
            wk.starts_on,
            median(&wk.first_review_hours),
            median(&wk.review_response_hours),
            median(&wk.open_to_merge_hours),
            wk.merged
        ));
    }
    out.push('\n');
}

/// A mermaid bar chart of the groups that have a figure; nothing when none has.
fn bar_chart(out: &mut String, title: &str, bars: &[(String, Option<f64>)], unit: &str) {
    let bars: Vec<(&String, f64)> = bars.iter().filter_map(|(label, v)| v.map(|v| (label, v))).collect();
    if bars.is_empty() {
        return;
    }
    let max = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    out.push_str(&format!(
        "```mermaid\nxychart-beta\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\" 0 --> {}\n    bar [{}]\n```\n\n",
        mermaid_text(title),
        bars.iter().map(|(label, _)| format!("\"{}\"", mermaid_text(label))).collect::<Vec<_>>().join(", "),
        mermaid_text(unit),
        axis_top(max),
        bars.iter().map(|(_, v)| v.to_string()).collect::<Vec<_>>().join(", ")
    ));
}

/// A round number a little above the tallest bar, so it does not touch the frame.
fn axis_top(max: f64) -> String {
    let top = (max * 1.1).ceil();
    if top.is_finite() && top >= 1.0 { format!("{top:.0}") } else { "1".to_string() }
}

/// Mermaid labels sit inside double quotes and mermaid has no escape for them: keep the
/// characters that names and titles use, turn anything else into a space.
fn mermaid_text(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_alphanumeric() || " -_/.,@:()%".contains(c) { c } else { ' ' })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Text in a table cell or a list item: HTML, table pipes and Markdown's emphasis and link
/// characters are escaped, so a repository or login is shown as written and changes nothing.
pub(crate) fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A login or team as a code span: GitHub does not turn `@team` into a mention there, so the
/// digest never notifies the people it lists.
pub(crate) fn code(name: &str) -> String {
    let clean: String = name.chars().map(|c| if matches!(c, '`' | '\n' | '\r') { ' ' } else { c }).collect();
    // Inside a table a pipe still ends the cell, code span or not.
    format!("`{}`", clean.replace('|', "\\|"))
}
