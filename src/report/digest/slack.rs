//! The digest as a Slack Block Kit message, ready to POST to an incoming webhook: the findings,
//! a few key figures and the PRs waiting longest, kept inside Slack's limits whatever the digest.

use serde_json::{Value, json};

use super::common::{Notice, is_quiet, median, pr_url, window_days};
use crate::latency::digest::Digest;
use crate::wording::digest::shadow as ws;
use crate::wording::digest::tried as wt;
use crate::wording::digest::{self as w, hours, percent};
use crate::wording::shadow as shadow_words;

/// Slack rejects a message with more blocks than this.
pub const MAX_BLOCKS: usize = 50;
/// Slack's limit on a section's text and on a context element.
pub const MAX_TEXT: usize = 3000;
/// Slack's limit on a header's text.
pub const MAX_HEADER: usize = 150;
/// Slack's limits on a section's fields: how many, and how long each.
pub const MAX_FIELDS: usize = 10;
pub const MAX_FIELD_TEXT: usize = 2000;
/// A message is read on a phone: the first few findings and waits are the point.
const FINDINGS_SHOWN: usize = 5;
const WAITING_SHOWN: usize = 5;

/// Without a notice: the tests' shorthand (the surfaces call `super::render`).
#[cfg(test)]
pub fn render(digest: &Digest) -> Value {
    render_with(digest, None)
}

/// The message with `notice` as the block after the header.
pub fn render_with(digest: &Digest, notice: Option<&Notice>) -> Value {
    let (first, last) = window_days(digest);
    let title = w::title(&first, &last);
    let mut blocks = vec![json!({
        "type": "header",
        "text": { "type": "plain_text", "text": clip(&title, MAX_HEADER), "emoji": false }
    })];
    if is_quiet(digest) {
        blocks.push(section(&escape(w::EMPTY_WEEK)));
    } else {
        blocks.push(section(&escape(&w::summary(&digest.totals))));
        blocks.push(json!({ "type": "divider" }));
        if digest.findings.is_empty() {
            blocks.push(section(&escape(w::NO_FINDINGS)));
        }
        for (n, finding) in digest.findings.iter().take(FINDINGS_SHOWN).enumerate() {
            blocks.push(section(&format!(
                "*{}. {}*\n{}",
                n + 1,
                escape(&w::sentence(&w::headline(&finding.kind))),
                escape(&w::sentence(&w::suggestion(&finding.kind)))
            )));
        }
        blocks.push(json!({ "type": "section", "fields": key_figures(digest) }));
        blocks.extend(super::tools::slack(digest));
        blocks.push(section(&super::changes::slack(digest)));
        if !digest.longest_waiting.is_empty() {
            blocks.push(section(&waiting(digest)));
        }
        if let Some(figures) = &digest.shadow {
            blocks.push(section(&shadow(figures)));
        }
        if let Some(hygiene) = super::hygiene::slack(digest) {
            blocks.push(section(&hygiene));
        }
        if !digest.tried_targets.is_empty() {
            blocks.push(section(&tried(digest)));
        }
    }
    let mut footer = format!("{} · {}", w::window_line(&first, &last, digest), w::PRODUCT);
    if let Some(left_out) = &digest.left_out {
        footer.push_str(&format!(" · {}", wt::left_out(left_out)));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [{ "type": "mrkdwn", "text": clip(&escape(&footer), MAX_TEXT) }]
    }));
    if let Some(Notice(notice)) = notice {
        blocks.insert(blocks.len().min(1), section(&format!("*{}* {}", w::WARNING, escape(notice))));
    }
    // The layout above stays far below the limit; this keeps the promise should it ever grow.
    blocks.truncate(MAX_BLOCKS);
    json!({ "text": clip(&title, MAX_TEXT), "blocks": blocks })
}

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": clip(text, MAX_TEXT) } })
}

fn key_figures(digest: &Digest) -> Vec<Value> {
    let unit = w::unit(digest.clock);
    let t = &digest.totals;
    let mut fields = vec![
        (w::FIELD_PRS_ACTIVE.to_string(), t.prs_active.to_string()),
        (w::FIELD_MERGED.to_string(), t.merged.to_string()),
        (w::field_first_review(unit), median(&digest.overall.first_review_hours)),
        (w::FIELD_ON_REVIEWERS_NOW.to_string(), t.waiting_on_reviewers_now.to_string()),
        (w::FIELD_ON_AUTHORS_NOW.to_string(), t.waiting_on_author_now.to_string()),
    ];
    if let Some(share) = digest.traceability.share {
        fields.push((w::FIELD_LINKED.to_string(), percent(share)));
    }
    match w::chain_figure(&digest.traceability) {
        Some((share, label)) => fields.push((w::sentence(&label).trim_end_matches('.').to_string(), percent(share))),
        None if digest.traceability.merged > 0 => {
            fields.push((w::FIELD_FULL_CHAIN.to_string(), w::NOT_COMPUTED.to_string()))
        }
        None => {}
    }
    fields
        .into_iter()
        .take(MAX_FIELDS)
        .map(|(label, value)| {
            json!({ "type": "mrkdwn", "text": clip(&format!("*{}*\n{}", escape(&label), escape(&value)), MAX_FIELD_TEXT) })
        })
        .collect()
}

/// Shadow mode's PRs that would have failed, and why, most first.
fn shadow(figures: &crate::latency::ShadowFigures) -> String {
    let mut text = format!("*{}*\n{}", escape(ws::SHADOW), escape(&ws::summary(figures)));
    for r in &figures.reasons {
        text.push_str(&format!("\n• {}: {}", escape(shadow_words::fail_reason(r.reason)), r.prs));
    }
    text
}

/// Each target tried, not enforced, and its weeks: `2025-W10: 2 of 5`.
fn tried(digest: &Digest) -> String {
    let unit = w::unit(digest.clock);
    let mut text = format!("*{}*", escape(wt::TRIED));
    for t in &digest.tried_targets {
        text.push_str(&format!("\n{}", escape(&wt::tried_summary(t, unit))));
        for week in &t.weeks {
            text.push_str(&format!("\n• {}: {}", escape(&week.week), escape(&wt::week_count(week))));
        }
    }
    text.push_str(&format!("\n_{}_", escape(wt::TRIED_NOTE)));
    text
}

fn waiting(digest: &Digest) -> String {
    let mut text = format!("*{}*", escape(w::LONGEST));
    for pr in digest.longest_waiting.iter().take(WAITING_SHOWN) {
        let name = escape(&format!("{}#{}", pr.repo, pr.pr));
        // A link's label cannot hold `|` or `>`; `escape` already turned `>` into an entity and
        // plain names (the only ones linked) have no `|`.
        let shown = match pr_url(&pr.repo, pr.pr) {
            Some(url) => format!("<{url}|{name}>"),
            None => name,
        };
        let waited = w::waited_on(&hours(pr.waiting_hours), &w::waiting_on(pr));
        text.push_str(&format!("\n• {shown}: {}", escape(&waited)));
    }
    text
}

/// Slack's mrkdwn treats `&`, `<` and `>` as control characters; everything else is literal.
pub fn escape(raw: &str) -> String {
    raw.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// At most `max` characters (Slack counts characters, not bytes), with an ellipsis when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    // Never leave half an entity (`&am`) at the cut.
    if let Some(amp) = short.rfind('&')
        && !short[amp..].contains(';')
    {
        short.truncate(amp);
    }
    short.push('…');
    short
}
