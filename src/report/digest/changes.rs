//! The "What changed" section in every format: each stage against the period before and the
//! median of the periods before that, with the PRs named for it linked as each format links.

use serde_json::{Value, json};

use super::common::pr_url;
use super::escape::escape;
use crate::latency::digest::Digest;
use crate::wording::digest::changes::{self as wc, Piece};

/// The stages with a figure this period, or every stage when none has: a quiet stage says so.
fn shown(digest: &Digest) -> impl Iterator<Item = &crate::latency::StageChange> {
    let any = digest.changes.stages.iter().any(|s| s.this_period.is_some());
    digest.changes.stages.iter().filter(move |s| !any || s.this_period.is_some())
}

/// A list item per stage, its line then why it moved; one line when nothing can be compared.
pub(crate) fn markdown(out: &mut String, digest: &Digest) {
    use super::markdown::text;
    let days = digest.changes.period_days;
    out.push_str(&format!("## {}\n\n", wc::CHANGES));
    if digest.changes.nothing_to_compare() {
        out.push_str(&format!("{}\n\n", text(&wc::nothing_to_compare(days))));
        return;
    }
    for s in shown(digest) {
        out.push_str(&format!("- {}", text(&wc::stage_line(s, days))));
        let cause = wc::cause(s, days);
        if !cause.is_empty() {
            out.push(' ');
            for piece in &cause {
                match piece {
                    Piece::Text(words) => out.push_str(&text(words)),
                    // GitHub links `owner/name#N` itself, on any host.
                    Piece::Pr { repo, pr } => out.push_str(&format!("{}#{pr}", text(repo))),
                }
            }
        }
        out.push('\n');
    }
    out.push_str(&format!("\n_{}_\n\n", text(&wc::note(days))));
}

/// The section as HTML: a list, each PR a link to its page.
pub(crate) fn html(digest: &Digest) -> String {
    let days = digest.changes.period_days;
    if digest.changes.nothing_to_compare() {
        return format!("<p>{}</p>", escape(&wc::nothing_to_compare(days)));
    }
    let mut inner = String::from("<ul class=\"changes\">");
    for s in shown(digest) {
        let stage = serde_json::to_value(s.stage).ok().and_then(|v| v.as_str().map(str::to_string));
        inner.push_str(&format!(
            "<li data-stage=\"{}\"><span class=\"stage-line\">{}</span>",
            escape(&stage.unwrap_or_default()),
            escape(&wc::stage_line(s, days))
        ));
        let cause = wc::cause(s, days);
        if !cause.is_empty() {
            inner.push_str(" <span class=\"cause\">");
            for piece in &cause {
                match piece {
                    Piece::Text(words) => inner.push_str(&escape(words)),
                    Piece::Pr { repo, pr } => {
                        let name = escape(&format!("{repo}#{pr}"));
                        match pr_url(repo, *pr) {
                            Some(url) => inner.push_str(&format!("<a href=\"{}\">{name}</a>", escape(&url))),
                            None => inner.push_str(&name),
                        }
                    }
                }
            }
            inner.push_str("</span>");
        }
        inner.push_str("</li>");
    }
    inner.push_str(&format!("</ul>\n<p class=\"note\">{}</p>", escape(&wc::note(days))));
    inner
}

/// The section's mrkdwn for one Slack block: a bullet per stage, PRs as Slack links.
pub(crate) fn slack(digest: &Digest) -> String {
    use super::slack::escape;
    let days = digest.changes.period_days;
    let mut out = format!("*{}*", escape(wc::CHANGES));
    if digest.changes.nothing_to_compare() {
        out.push_str(&format!("\n{}", escape(&wc::nothing_to_compare(days))));
        return out;
    }
    for s in shown(digest) {
        out.push_str(&format!("\n• {}", escape(&wc::stage_line(s, days))));
        let cause = wc::cause(s, days);
        if !cause.is_empty() {
            out.push(' ');
        }
        for piece in &cause {
            match piece {
                Piece::Text(words) => out.push_str(&escape(words)),
                Piece::Pr { repo, pr } => {
                    let name = escape(&format!("{repo}#{pr}"));
                    // A link's label cannot hold `|` or `>`: only plain names are linked.
                    match pr_url(repo, *pr) {
                        Some(url) => out.push_str(&format!("<{url}|{name}>")),
                        None => out.push_str(&name),
                    }
                }
            }
        }
    }
    out
}

/// Each stage's sentences beside its figures: `summary` (the line) and `cause` (why it moved,
/// PRs as `owner/name#N`; absent when nothing moved).
pub(crate) fn json(value: &mut Value, digest: &Digest) {
    let days = digest.changes.period_days;
    for (i, s) in digest.changes.stages.iter().enumerate() {
        value["changes"]["stages"][i]["summary"] = json!(wc::stage_line(s, days));
        let cause = wc::cause(s, days);
        if !cause.is_empty() {
            value["changes"]["stages"][i]["cause"]["summary"] = json!(wc::plain(&cause));
        }
    }
}
