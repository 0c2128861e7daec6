//! The digest as one self-contained HTML page: the findings first, key figures, inline SVG
//! charts (see `svg`) and the tables behind them. No script, no external asset: it opens from a
//! mail attachment or an artifact as it is.

use super::common::{Column, GroupColumns, Notice, is_quiet, median, number, p90, pr_url, window_days};
use super::escape::escape_text;
use super::svg::{self, Chart, Row};
use crate::latency::digest::{Digest, GroupFigures};
use crate::wording::digest::shadow as ws;
use crate::wording::digest::tried as wt;
use crate::wording::digest::{self as w, hours, percent};
use crate::wording::shadow as shadow_words;

pub use super::escape::escape;

pub fn render(digest: &Digest) -> String {
    render_with(digest, None)
}

/// The page with `notice` as a warning at the top of `<main>`.
pub(crate) fn render_with(digest: &Digest, notice: Option<&Notice>) -> String {
    let (first, last) = window_days(digest);
    let title = w::title(&first, &last);
    let unit = w::unit(digest.clock);
    let mut body =
        notice.map(|Notice(notice)| format!("<p class=\"warning\">{}</p>\n", escape_text(notice))).unwrap_or_default();
    body.push_str(&format!(
        "<header><h1>{}</h1><p class=\"window\">{}</p></header>\n",
        escape(&title),
        escape(&w::window_line(&first, &last, digest))
    ));
    if is_quiet(digest) {
        body.push_str(&format!("<p class=\"empty\">{}</p>\n", escape(w::EMPTY_WEEK)));
    } else {
        findings(&mut body, digest);
        key_figures(&mut body, digest, unit);
        stages(&mut body, digest, unit);
        section(&mut body, crate::wording::digest::changes::CHANGES, &super::changes::html(digest));
        tiers(&mut body, digest, unit);
        ai(&mut body, digest, unit);
        body.push_str(&super::tools::html(digest, unit));
        section(&mut body, w::BY_REPO, &groups_table(&digest.by_repo, unit));
        section(&mut body, w::BY_TEAM, &groups_table(&digest.by_team, unit));
        reviewers(&mut body, digest, unit);
        targets(&mut body, digest);
        tried(&mut body, digest, unit);
        longest(&mut body, digest);
        let traceability = format!(
            "<p>{}</p>\n<p>{}</p>",
            escape(&w::traceability(&digest.traceability)),
            escape(&w::chain_coverage(&digest.traceability))
        );
        section(&mut body, w::TRACEABILITY, &traceability);
        shadow(&mut body, digest);
        super::hygiene::html(&mut body, digest);
        trend(&mut body, digest, unit);
    }
    let left_out =
        digest.left_out.as_ref().map(|l| format!("<br><span class=\"left-out\">{}</span>", escape(&wt::left_out(l))));
    body.push_str(&format!("<footer>{}{}</footer>\n", escape(&w::clock_note(digest)), left_out.unwrap_or_default()));
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        w::PRODUCT,
        escape(&title)
    )
}

const STYLE: &str = "
:root { color-scheme: light; --ink: #212529; --muted: #495057; --line: #dee2e6; --accent: #3b5bdb; }
* { box-sizing: border-box; }
body { margin: 0; background: #f8f9fa; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 32px 24px 48px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
.window { margin: 0 0 24px; color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px;
  margin: 0 0 20px; }
h2 { margin: 0 0 12px; font-size: 18px; }
.findings ol { margin: 0; padding-left: 22px; }
.findings li { margin: 0 0 10px; }
.findings .headline { font-weight: 600; display: block; }
.findings .suggestion { color: var(--muted); }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.figure { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.figure .value { font-size: 24px; font-weight: 600; display: block; }
.figure .label { color: var(--muted); font-size: 13px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.note, footer { color: var(--muted); font-size: 13px; }
.empty { font-size: 18px; }
a { color: var(--accent); }
";

/// A table's start, up to its body: a heading cell per column, right-aligned over figures.
fn table_head(columns: &[Column<'_>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for column in columns {
        match column {
            Column::Text(name) => out.push_str(&format!("<th>{}</th>", escape(name))),
            Column::Num(name) => out.push_str(&format!("<th class=\"num\">{}</th>", escape(name))),
        }
    }
    out.push_str("</tr></thead><tbody>");
    out
}

/// The PRs of repositories in shadow mode that would have failed, and why; only when there were
/// any evaluated in shadow mode.
fn shadow(out: &mut String, digest: &Digest) {
    let Some(figures) = &digest.shadow else { return };
    let mut inner = format!("<p class=\"shadow\">{}</p>\n", escape(&ws::summary(figures)));
    if !figures.reasons.is_empty() {
        inner.push_str(&table_head(&[Column::Text(ws::COL_REASON), Column::Num(w::COL_PRS)]));
        for r in &figures.reasons {
            inner.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                escape(shadow_words::fail_reason(r.reason)),
                r.prs
            ));
        }
        inner.push_str("</tbody></table>\n");
    }
    inner.push_str(&format!("<p>{}</p>", escape(ws::NEVER_BLOCKED)));
    section(out, ws::SHADOW, &inner);
}

fn section(out: &mut String, heading: &str, inner: &str) {
    out.push_str(&format!("<section>\n<h2>{}</h2>\n{inner}\n</section>\n", escape(heading)));
}

fn findings(out: &mut String, digest: &Digest) {
    let mut inner = String::new();
    if digest.findings.is_empty() {
        inner.push_str(&format!("<p>{}</p>", escape(w::NO_FINDINGS)));
    } else {
        inner.push_str("<ol>");
        for finding in &digest.findings {
            inner.push_str(&format!(
                "<li class=\"finding\" data-kind=\"{}\"><span class=\"headline\">{}</span>\
                 <span class=\"suggestion\">{}</span></li>",
                escape(finding_kind(finding)),
                escape(&w::sentence(&w::headline(&finding.kind))),
                escape(&w::sentence(&w::suggestion(&finding.kind)))
            ));
        }
        inner.push_str("</ol>");
    }
    out.push_str(&format!("<section class=\"findings\">\n<h2>{}</h2>\n{inner}\n</section>\n", escape(w::FINDINGS)));
}

/// The finding's `kind` as it appears in JSON, for styling and tests.
fn finding_kind(finding: &crate::latency::findings::Finding) -> &'static str {
    use crate::latency::findings::FindingKind as K;
    match finding.kind {
        K::TierGap { .. } => "tier_gap",
        K::AiGap { .. } => "ai_gap",
        K::NoReviewerRequested { .. } => "no_reviewer_requested",
        K::AuthorWait { .. } => "author_wait",
        K::TargetMissed { .. } => "target_missed",
        K::SlowMerge { .. } => "slow_merge",
        K::ReviewConcentration { .. } => "review_concentration",
        K::RepoGap { .. } => "repo_gap",
        K::LowChainCoverage { .. } => "low_chain_coverage",
    }
}

fn key_figures(out: &mut String, digest: &Digest, unit: &str) {
    let t = &digest.totals;
    let mut figures = vec![
        (t.prs_active.to_string(), w::FIGURE_PRS_ACTIVE.to_string()),
        (t.merged.to_string(), w::FIGURE_MERGED.to_string()),
        (median(&digest.overall.first_review_hours), w::figure_first_review(unit)),
        (t.waiting_on_reviewers_now.to_string(), w::FIGURE_ON_REVIEWERS_NOW.to_string()),
        (t.waiting_on_author_now.to_string(), w::FIGURE_ON_AUTHORS_NOW.to_string()),
    ];
    if let Some(share) = digest.traceability.share {
        figures.push((percent(share), w::FIGURE_LINKED.to_string()));
    }
    if let Some((share, label)) = w::chain_figure(&digest.traceability) {
        figures.push((percent(share), w::figure_chain(&label)));
    }
    let cards: String = figures
        .iter()
        .map(|(value, label)| {
            format!(
                "<div class=\"figure\"><span class=\"value\">{}</span><span class=\"label\">{}</span></div>",
                escape(value),
                escape(label)
            )
        })
        .collect();
    out.push_str(&format!(
        "<section>\n<p>{}</p>\n<div class=\"figures\">{cards}</div>\n</section>\n",
        escape(&w::summary(t))
    ));
}

fn stages(out: &mut String, digest: &Digest, unit: &str) {
    let mut rows = vec![Row {
        label: w::ALL_PRS.to_string(),
        values: vec![digest.overall.waiting_on_reviewers_hours, digest.overall.waiting_on_author_hours],
    }];
    rows.extend(digest.by_tier.iter().map(|g| Row {
        label: w::group(&g.group),
        values: vec![g.waiting_on_reviewers_hours, g.waiting_on_author_hours],
    }));
    let chart = Chart {
        id: "chart-stages",
        title: w::CHART_STAGES,
        category_axis: w::AXIS_PRS,
        value_axis: unit,
        unit,
        series: &[w::ON_REVIEWERS, w::ON_AUTHORS],
        counts: false,
    };
    let mut inner = svg::horizontal_bars(&chart, &rows, true);
    let all = &digest.overall;
    inner.push_str(&table_head(&[
        Column::Text(w::COL_STAGE),
        Column::Num(&w::col_median(unit)),
        Column::Num(&w::col_p90(unit)),
        Column::Num(w::COL_MEASURED),
    ]));
    for (stage, spread) in [
        (w::STAGE_FIRST_REVIEW, &all.first_review_hours),
        (w::STAGE_RESPONSE, &all.review_response_hours),
        (w::STAGE_APPROVAL_TO_MERGE, &all.approval_to_merge_hours),
        (w::STAGE_OPEN_TO_MERGE, &all.open_to_merge_hours),
        (w::STAGE_ROUNDS, &all.review_rounds),
    ] {
        inner.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(stage),
            median(spread),
            p90(spread),
            spread.count
        ));
    }
    inner.push_str("</tbody></table>");
    section(out, w::STAGES, &inner);
}

/// Columns of median first-review hours for the groups that have one.
fn first_review_columns(id: &str, title: &str, axis: &str, groups: &[GroupFigures], unit: &str) -> String {
    let rows: Vec<Row> = groups
        .iter()
        .filter_map(|g| g.first_review_hours.median.map(|m| Row { label: w::group(&g.group), values: vec![m] }))
        .collect();
    if rows.is_empty() {
        return format!("<p class=\"note\">{}</p>", escape(w::NO_DATA));
    }
    let chart = Chart {
        id,
        title,
        category_axis: axis,
        value_axis: unit,
        unit,
        series: &[w::SERIES_FIRST_REVIEW],
        counts: false,
    };
    svg::columns(&chart, &rows)
}

fn tiers(out: &mut String, digest: &Digest, unit: &str) {
    let mut inner = first_review_columns("chart-tiers", w::CHART_TIERS, w::AXIS_TIER, &digest.by_tier, unit);
    inner.push_str(&groups_table(&digest.by_tier, unit));
    section(out, w::BY_TIER, &inner);
}

fn ai(out: &mut String, digest: &Digest, unit: &str) {
    let mut inner = first_review_columns("chart-ai", w::CHART_AI, w::AXIS_PRS, &digest.by_ai, unit);
    inner.push_str(&groups_table(&digest.by_ai, unit));
    section(out, w::BY_AI, &inner);
}

fn groups_table(groups: &[GroupFigures], unit: &str) -> String {
    if groups.is_empty() {
        return format!("<p class=\"note\">{}</p>", escape(w::NO_DATA));
    }
    let mut out = table_head(&GroupColumns::new(unit).columns());
    for g in groups {
        out.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            escape(&w::group(&g.group)),
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
    out.push_str("</tbody></table>");
    out
}

fn reviewers(out: &mut String, digest: &Digest, unit: &str) {
    let mut inner = format!("<p class=\"note\">{}</p>", escape(w::REVIEWERS_NOTE));
    if digest.reviewers.is_empty() {
        inner.push_str(&format!("<p class=\"note\">{}</p>", escape(w::NO_DATA)));
        section(out, w::REVIEWERS, &inner);
        return;
    }
    // The digest's order (load, then name) is kept: the chart is never a speed ranking.
    let rows: Vec<Row> = digest
        .reviewers
        .iter()
        .map(|r| Row { label: r.reviewer.name(), values: vec![r.requests_received as f64, r.open_queue_now as f64] })
        .collect();
    let chart = Chart {
        id: "chart-load",
        title: w::CHART_LOAD,
        category_axis: w::AXIS_REVIEWER,
        value_axis: w::AXIS_REQUESTS,
        unit: w::AXIS_REQUESTS,
        series: &[w::SERIES_REQUESTS, w::SERIES_QUEUE],
        counts: true,
    };
    inner.push_str(&svg::horizontal_bars(&chart, &rows, false));
    inner.push_str(&table_head(&[
        Column::Text(w::COL_REVIEWER),
        Column::Num(w::COL_REQUESTS_RECEIVED),
        Column::Num(w::COL_REVIEWS_GIVEN),
        Column::Num(w::COL_WAITING_ON_THEM),
        Column::Num(&w::col_answer_wait(unit)),
    ]));
    for r in &digest.reviewers {
        inner.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            escape(&r.reviewer.name()),
            r.requests_received,
            r.reviews_given,
            r.open_queue_now,
            median(&r.response_hours)
        ));
    }
    inner.push_str("</tbody></table>");
    section(out, w::REVIEWERS, &inner);
}

fn targets(out: &mut String, digest: &Digest) {
    if digest.targets.is_empty() {
        return;
    }
    let mut inner = table_head(&[
        Column::Text(w::COL_TIER),
        Column::Num(w::COL_TARGET),
        Column::Num(w::COL_FIRST_REVIEWS),
        Column::Num(w::COL_LATE),
        Column::Num(w::COL_PAST_TARGET),
    ]);
    for t in &digest.targets {
        inner.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            escape(t.tier.id()),
            escape(&hours(t.target_hours)),
            t.first_reviews,
            t.breached,
            t.waiting_over_target_now
        ));
    }
    inner.push_str("</tbody></table>");
    section(out, w::TARGETS, &inner);
}

/// Each target tried, not enforced: week by week, the PRs of its tier that would have breached it.
fn tried(out: &mut String, digest: &Digest, unit: &str) {
    if digest.tried_targets.is_empty() {
        return;
    }
    let mut inner = String::new();
    for t in &digest.tried_targets {
        inner.push_str(&format!("<p class=\"tried\">{}</p>\n", escape(&wt::tried_summary(t, unit))));
        inner.push_str(&table_head(&[
            Column::Text(wt::COL_WEEK),
            Column::Num(wt::COL_WOULD_BREACH),
            Column::Num(wt::COL_OUT_OF),
            Column::Num(wt::COL_LATE_REVIEWS),
            Column::Num(wt::COL_STILL_WAITING),
        ]));
        for week in &t.weeks {
            inner.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                escape(&week.week),
                week.breached,
                week.out_of,
                week.late,
                week.waiting_over
            ));
        }
        inner.push_str("</tbody></table>\n");
    }
    inner.push_str(&format!("<p class=\"note\">{}</p>", escape(wt::TRIED_NOTE)));
    section(out, wt::TRIED, &inner);
}

fn longest(out: &mut String, digest: &Digest) {
    if digest.longest_waiting.is_empty() {
        section(out, w::LONGEST, &format!("<p>{}</p>", escape(w::NOBODY_WAITING)));
        return;
    }
    let mut inner = table_head(&[
        Column::Text(w::COL_PR),
        Column::Text(w::COL_TIER),
        Column::Text(w::COL_AUTHOR),
        Column::Num(w::COL_WAITING),
        Column::Text(w::COL_WAITING_ON),
    ]);
    for pr in &digest.longest_waiting {
        let name = escape(&format!("{}#{}", pr.repo, pr.pr));
        let link = match pr_url(&pr.repo, pr.pr) {
            Some(url) => format!("<a href=\"{}\">{name}</a>", escape(&url)),
            None => name,
        };
        inner.push_str(&format!(
            "<tr><td>{link}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            pr.tier.map_or("–", |t| t.id()),
            escape(pr.author.as_str()),
            escape(&hours(pr.waiting_hours)),
            escape(&w::waiting_on(pr))
        ));
    }
    inner.push_str("</tbody></table>");
    section(out, w::LONGEST, &inner);
}

fn trend(out: &mut String, digest: &Digest, unit: &str) {
    if digest.trend.is_empty() {
        return;
    }
    let labels: Vec<String> = digest.trend.iter().map(|wk| wk.week.clone()).collect();
    let series = vec![
        digest.trend.iter().map(|wk| wk.first_review_hours.median).collect::<Vec<_>>(),
        digest.trend.iter().map(|wk| wk.open_to_merge_hours.median).collect(),
    ];
    let chart = Chart {
        id: "chart-trend",
        title: w::CHART_TREND,
        category_axis: w::AXIS_WEEK,
        value_axis: unit,
        unit,
        series: &[w::SERIES_FIRST_REVIEW, w::SERIES_OPEN_TO_MERGE],
        counts: false,
    };
    let mut inner = svg::lines(&chart, &labels, &series);
    inner.push_str(&table_head(&[
        Column::Text(w::COL_WEEK),
        Column::Text(w::COL_STARTS_ON),
        Column::Num(&w::col_first_review(unit)),
        Column::Num(&w::col_open_to_merge(unit)),
        Column::Num(w::COL_MERGED),
    ]));
    for wk in &digest.trend {
        inner.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&wk.week),
            wk.starts_on,
            median(&wk.first_review_hours),
            median(&wk.open_to_merge_hours),
            wk.merged
        ));
    }
    inner.push_str("</tbody></table>");
    section(out, w::TREND, &inner);
}
