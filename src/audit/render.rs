//! The audit as text: Markdown (GitHub-ready tables), JSON (the `Audit` field for field, see
//! docs/audit.md) and one self-contained HTML page. All the wording lives here.

use super::{Audit, PrReport, Trace, percent};
use crate::report::digest::html::escape as html_escape;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
    Html,
}

pub fn render(format: Format, audit: &Audit) -> String {
    let mut text = match format {
        Format::Markdown => markdown(audit),
        Format::Json => json(audit),
        Format::Html => html(audit),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The JSON form; every field name is documented in docs/audit.md and kept stable.
pub fn json(audit: &Audit) -> String {
    // The audit holds strings, numbers and dates only; should serialising fail, still print JSON.
    serde_json::to_string_pretty(audit)
        .unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }).to_string())
}

/// The coverage rows: label, count.
fn coverage_rows(audit: &Audit) -> Vec<(String, usize)> {
    let c = &audit.coverage;
    let top = audit.levels.last().map(String::as_str).unwrap_or("the top");
    vec![
        ("Merged PRs".into(), c.merged),
        ("With a story key".into(), c.with_key),
        (format!("Full chain up to {top}"), c.traced),
        ("Chain broken".into(), c.broken),
        ("Not verified (a tracker did not answer)".into(), c.not_verified),
        ("Exempt (no key, and the policy asks for none)".into(), c.exempt),
        ("Orphaned (no key, or a key that does not resolve)".into(), c.orphaned),
    ]
}

/// What happened to a PR, in words.
pub fn outcome(trace: &Trace) -> String {
    match trace {
        Trace::NoKey => "no story key in the title, branch or body".into(),
        Trace::Exempt { reason } => format!("exempt: {reason}"),
        Trace::NotFound { key } => format!("{key} does not exist in its tracker"),
        Trace::NotVerified { key, reason } => format!("not verified: {key}: {reason}"),
        Trace::Broken { reason, .. } => format!("broken: {reason}"),
        Trace::Traced { okr, .. } => format!("traced up to {okr}"),
    }
}

/// The full trace of one PR: `#12 -> ABC-123 (story) 'Title' -> ... `, then how it ends.
pub fn trace_line(pr: &PrReport) -> String {
    let mut parts = vec![format!("#{}", pr.number)];
    for step in &pr.chain {
        let level = step.level.as_deref().map(|l| format!(" ({l})")).unwrap_or_default();
        let title = if step.title.is_empty() { String::new() } else { format!(" '{}'", step.title) };
        parts.push(format!("{}{level}{title}", step.key));
    }
    format!("{}: {}", parts.join(" -> "), outcome(&pr.trace))
}

/// The lists after the roll-up: a heading and the PRs under it.
fn listed(audit: &Audit) -> Vec<(&'static str, Vec<&PrReport>)> {
    let pick = |wanted: fn(&Trace) -> bool| audit.prs.iter().filter(|p| wanted(&p.trace)).collect::<Vec<_>>();
    vec![
        ("Orphaned PRs", pick(Trace::is_orphan)),
        ("Broken chains", pick(|t| matches!(t, Trace::Broken { .. }))),
        ("Not verified", pick(|t| matches!(t, Trace::NotVerified { .. }))),
    ]
}

fn hours(h: Option<f64>) -> String {
    match h {
        Some(h) if h >= 48.0 => format!("{:.1} d", h / 24.0),
        Some(h) => format!("{h:.1} h"),
        None => "n/a".into(),
    }
}

/// Text safe in a Markdown table cell or list item: no HTML can open without `<`, so `>` (the
/// trace's arrows) stays as it is.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('|', "\\|").replace('\n', " ")
}

fn md_link(text: &str, url: Option<&str>) -> String {
    match url {
        Some(url) if !url.is_empty() => format!("[{}]({url})", cell(text).replace(']', "\\]")),
        _ => cell(text),
    }
}

fn markdown(audit: &Audit) -> String {
    let mut out = format!(
        "# Traceability audit: {}\n\nMerged between {} and {}; a full chain reaches {}.\n\n| | PRs | share |\n|---|---:|---:|\n",
        audit.repo,
        audit.since.format("%Y-%m-%d %H:%M UTC"),
        audit.until.format("%Y-%m-%d %H:%M UTC"),
        audit.levels.join(" -> ")
    );
    for (label, n) in coverage_rows(audit) {
        out.push_str(&format!("| {label} | {n} | {}% |\n", percent(n, audit.coverage.merged)));
    }
    let top = audit.levels.last().cloned().unwrap_or_default();
    out.push_str(&format!("\n## Merged work per {top}\n\n"));
    if audit.okrs.is_empty() {
        out.push_str("No merged PR traces up to one.\n");
    } else {
        out.push_str(&format!(
            "| {top} | PRs | changed lines | median review time | PRs merged |\n|---|---:|---:|---:|---|\n"
        ));
        for o in &audit.okrs {
            let name = if o.title.is_empty() { o.key.clone() } else { format!("{} {}", o.key, o.title) };
            let prs: Vec<String> = o.pr_numbers.iter().map(|n| format!("#{n}")).collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                md_link(&name, o.url.as_deref()),
                o.prs,
                o.changed_lines,
                hours(o.median_review_hours),
                prs.join(" ")
            ));
        }
    }
    for (heading, prs) in listed(audit) {
        if prs.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {heading}\n\n"));
        for p in prs {
            out.push_str(&format!(
                "- {} by @{}: {}\n",
                md_link(&format!("#{} {}", p.number, p.title), Some(&p.url)),
                cell(&p.author),
                cell(&outcome(&p.trace))
            ));
        }
    }
    if let Some(seed) = audit.sample_seed {
        out.push_str(&format!("\n## Sample: {} PRs chosen at random (seed {seed})\n\n", audit.sample.len()));
        for number in &audit.sample {
            if let Some(p) = audit.prs.iter().find(|p| p.number == *number) {
                out.push_str(&format!(
                    "- {}: {}\n",
                    md_link(&format!("#{}", p.number), Some(&p.url)),
                    cell(&trace_line(p))
                ));
            }
        }
    }
    out
}

fn html_link(text: &str, url: Option<&str>) -> String {
    match url {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            format!("<a href=\"{}\">{}</a>", html_escape(url), html_escape(text))
        }
        _ => html_escape(text),
    }
}

fn html(audit: &Audit) -> String {
    let mut body = format!(
        "<h1>Traceability audit: {}</h1>\n<p>Merged between {} and {}; a full chain reaches {}.</p>\n<table>\n<tr><th></th><th>PRs</th><th>share</th></tr>\n",
        html_escape(&audit.repo),
        audit.since.format("%Y-%m-%d %H:%M UTC"),
        audit.until.format("%Y-%m-%d %H:%M UTC"),
        html_escape(&audit.levels.join(" -> "))
    );
    for (label, n) in coverage_rows(audit) {
        body.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{n}</td><td class=\"n\">{}%</td></tr>\n",
            html_escape(&label),
            percent(n, audit.coverage.merged)
        ));
    }
    body.push_str("</table>\n");
    let top = html_escape(audit.levels.last().map(String::as_str).unwrap_or_default());
    body.push_str(&format!("<h2>Merged work per {top}</h2>\n"));
    if audit.okrs.is_empty() {
        body.push_str("<p>No merged PR traces up to one.</p>\n");
    } else {
        body.push_str(&format!(
            "<table>\n<tr><th>{top}</th><th>PRs</th><th>changed lines</th><th>median review time</th></tr>\n"
        ));
        for o in &audit.okrs {
            let name = if o.title.is_empty() { o.key.clone() } else { format!("{} {}", o.key, o.title) };
            body.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                html_link(&name, o.url.as_deref()),
                o.prs,
                o.changed_lines,
                hours(o.median_review_hours)
            ));
        }
        body.push_str("</table>\n");
    }
    for (heading, prs) in listed(audit) {
        if prs.is_empty() {
            continue;
        }
        body.push_str(&format!("<h2>{heading}</h2>\n<ul>\n"));
        for p in prs {
            body.push_str(&format!(
                "<li>{} by @{}: {}</li>\n",
                html_link(&format!("#{} {}", p.number, p.title), Some(&p.url)),
                html_escape(&p.author),
                html_escape(&outcome(&p.trace))
            ));
        }
        body.push_str("</ul>\n");
    }
    if let Some(seed) = audit.sample_seed {
        body.push_str(&format!("<h2>Sample: {} PRs chosen at random (seed {seed})</h2>\n<ul>\n", audit.sample.len()));
        for number in &audit.sample {
            if let Some(p) = audit.prs.iter().find(|p| p.number == *number) {
                body.push_str(&format!("<li>{}</li>\n", html_escape(&trace_line(p))));
            }
        }
        body.push_str("</ul>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Traceability audit: {}</title>\n<style>\nbody{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}}\ntable{{border-collapse:collapse;margin:1rem 0}}\nth,td{{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}}\ntd.n{{text-align:right}}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html_escape(&audit.repo)
    )
}
