//! The digest's figures per AI tool in Markdown, HTML and Slack (JSON carries `by_tool` as it
//! is): one row per group and way its PRs ended, in the digest's fixed order, and the note on
//! how a PR is counted. Nothing when no PR was counted.

use serde_json::{Value, json};

use super::common::{Column, median};
use super::escape::escape;
use crate::latency::digest::Digest;
use crate::latency::tools::{EndedFigures, ToolFigures};
use crate::wording::digest::tools as wt;

/// The headings that name the unit, made once: `[open, first review]`.
fn timed(unit: &str) -> [String; 2] {
    [wt::col_open(unit), wt::col_first_review(unit)]
}

/// The table's columns, the same in Markdown and HTML.
fn columns(timed: &[String; 2]) -> [Column<'_>; 8] {
    let [open, first] = timed;
    [
        Column::Text(wt::COL_TOOL),
        Column::Num(crate::wording::digest::COL_PRS),
        Column::Num(wt::COL_MERGE_RATE),
        Column::Text(wt::COL_ENDED),
        Column::Num(wt::COL_ENDED_PRS),
        Column::Num(open),
        Column::Num(first),
        Column::Num(wt::COL_ROUNDS),
    ]
}

/// Each group's two rows as cells: the group's name, PRs and rate on the first only.
fn rows(group: &ToolFigures) -> [[String; 8]; 2] {
    let ended = |how: &str, e: &EndedFigures| {
        [
            how.to_string(),
            e.prs.to_string(),
            median(&e.open_hours),
            median(&e.first_review_hours),
            median(&e.review_rounds),
        ]
    };
    let [how, n, open, first, rounds] = ended(wt::MERGED, &group.merged);
    let merged =
        [wt::tool(&group.group), group.prs.to_string(), wt::merge_rate(group.merge_rate), how, n, open, first, rounds];
    let [how, n, open, first, rounds] = ended(wt::CLOSED_UNMERGED, &group.closed_unmerged);
    let closed = [String::new(), String::new(), String::new(), how, n, open, first, rounds];
    [merged, closed]
}

pub(crate) fn markdown(out: &mut String, digest: &Digest, unit: &str) {
    use super::markdown::text;
    if digest.by_tool.is_empty() {
        return;
    }
    out.push_str(&format!("## {}\n\n", wt::BY_TOOL));
    let timed = timed(unit);
    let (mut names, mut align) = (Vec::new(), Vec::new());
    for column in columns(&timed) {
        let (name, line) = match column {
            Column::Text(name) => (name, "---"),
            Column::Num(name) => (name, "--:"),
        };
        names.push(name);
        align.push(line);
    }
    out.push_str(&format!("| {} |\n|{}|\n", names.join(" | "), align.join("|")));
    for group in &digest.by_tool {
        for row in rows(group) {
            let cells: Vec<String> = row.iter().map(|cell| text(cell)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
    }
    out.push_str(&format!("\n_{}_\n\n", text(wt::TOOL_NOTE)));
}

/// The section's HTML, or nothing.
pub(crate) fn html(digest: &Digest, unit: &str) -> String {
    if digest.by_tool.is_empty() {
        return String::new();
    }
    let timed = timed(unit);
    let columns = columns(&timed);
    let mut table = String::from("<table class=\"by-tool\"><thead><tr>");
    for column in &columns {
        match column {
            Column::Text(name) => table.push_str(&format!("<th>{}</th>", escape(name))),
            Column::Num(name) => table.push_str(&format!("<th class=\"num\">{}</th>", escape(name))),
        }
    }
    table.push_str("</tr></thead><tbody>");
    for group in &digest.by_tool {
        for (i, row) in rows(group).iter().enumerate() {
            let class = if i == 0 { " class=\"group-start\"" } else { "" };
            table.push_str(&format!("<tr{class} data-group=\"{}\">", escape(&group.group)));
            for (cell, column) in row.iter().zip(&columns) {
                match column {
                    Column::Text(_) => table.push_str(&format!("<td>{}</td>", escape(cell))),
                    Column::Num(_) => table.push_str(&format!("<td class=\"num\">{}</td>", escape(cell))),
                }
            }
            table.push_str("</tr>");
        }
    }
    table.push_str("</tbody></table>");
    format!(
        "<section class=\"by-tool\">\n<h2>{}</h2>\n{table}\n<p class=\"note\">{}</p>\n</section>\n",
        escape(wt::BY_TOOL),
        escape(wt::TOOL_NOTE)
    )
}

/// The section block of the Slack message, or nothing.
pub(crate) fn slack(digest: &Digest) -> Option<Value> {
    use super::slack::{MAX_TEXT, clip, escape};
    if digest.by_tool.is_empty() {
        return None;
    }
    let mut text = format!("*{}*", escape(wt::BY_TOOL));
    for group in &digest.by_tool {
        text.push_str(&format!("\n• {}", escape(&wt::line(group))));
    }
    text.push_str(&format!("\n_{}_", escape(wt::TOOL_NOTE)));
    Some(json!({ "type": "section", "text": { "type": "mrkdwn", "text": clip(&text, MAX_TEXT) } }))
}
