//! The audit as text: Markdown (GitHub-ready tables), JSON (the `Audit` field for field, see
//! docs/audit.md) and one self-contained HTML page. The words are `crate::wording::audit`'s.

use super::{Audit, PrReport, Trace, percent};
use crate::report::digest::html::escape as html_escape;
use crate::wording::audit as w;

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
    let counts = [c.merged, c.with_key, c.traced, c.broken, c.not_verified, c.exempt, c.orphaned];
    w::coverage_labels(w::top(&audit.levels)).into_iter().zip(counts).collect()
}

/// The full trace of one PR: `#12 -> ABC-123 (story) 'Title' -> ... `, then how it ends.
pub(crate) fn trace_line(pr: &PrReport) -> String {
    let steps: Vec<String> =
        pr.chain.iter().map(|step| w::chain_step(&step.key, step.level.as_deref(), &step.title)).collect();
    w::trace_line(pr.number, &steps, &pr.trace)
}

/// The lists after the roll-up: a heading and the PRs under it.
fn listed(audit: &Audit) -> Vec<(&'static str, Vec<&PrReport>)> {
    let pick = |wanted: fn(&Trace) -> bool| audit.prs.iter().filter(|p| wanted(&p.trace)).collect::<Vec<_>>();
    vec![
        (w::ORPHANED, pick(Trace::is_orphan)),
        (w::BROKEN, pick(|t| matches!(t, Trace::Broken { .. }))),
        (w::NOT_VERIFIED, pick(|t| matches!(t, Trace::NotVerified { .. }))),
    ]
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
        "# {}\n\n{}\n\n| | {} | {} |\n|---|---:|---:|\n",
        w::title(&audit.repo),
        w::scope(audit.since, audit.until, &audit.levels),
        w::COLUMN_PRS,
        w::COLUMN_SHARE
    );
    for (label, n) in coverage_rows(audit) {
        out.push_str(&format!("| {label} | {n} | {}% |\n", percent(n, audit.coverage.merged)));
    }
    let top = audit.levels.last().cloned().unwrap_or_default();
    out.push_str(&format!("\n## {}\n\n", w::merged_work(&top)));
    if audit.okrs.is_empty() {
        out.push_str(&format!("{}\n", w::NO_TOP_ITEM));
    } else {
        out.push_str(&format!(
            "| {top} | {} | {} | {} | {} |\n|---|---:|---:|---:|---|\n",
            w::COLUMN_PRS,
            w::COLUMN_CHANGED_LINES,
            w::COLUMN_REVIEW_TIME,
            w::COLUMN_PRS_MERGED
        ));
        for o in &audit.okrs {
            let name = w::top_item(&o.key, &o.title);
            let prs: Vec<String> = o.pr_numbers.iter().map(|n| format!("#{n}")).collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                md_link(&name, o.url.as_deref()),
                o.prs,
                o.changed_lines,
                w::review_time(o.median_review_hours),
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
                cell(&w::outcome(&p.trace))
            ));
        }
    }
    if let Some(seed) = audit.sample_seed {
        out.push_str(&format!("\n## {}\n\n", w::sample(audit.sample.len(), seed)));
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
        "<h1>{}</h1>\n<p>{}</p>\n<table>\n<tr><th></th><th>{}</th><th>{}</th></tr>\n",
        html_escape(&w::title(&audit.repo)),
        html_escape(&w::scope(audit.since, audit.until, &audit.levels)),
        w::COLUMN_PRS,
        w::COLUMN_SHARE
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
    body.push_str(&format!("<h2>{}</h2>\n", w::merged_work(&top)));
    if audit.okrs.is_empty() {
        body.push_str(&format!("<p>{}</p>\n", w::NO_TOP_ITEM));
    } else {
        body.push_str(&format!(
            "<table>\n<tr><th>{top}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
            w::COLUMN_PRS,
            w::COLUMN_CHANGED_LINES,
            w::COLUMN_REVIEW_TIME
        ));
        for o in &audit.okrs {
            let name = w::top_item(&o.key, &o.title);
            body.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                html_link(&name, o.url.as_deref()),
                o.prs,
                o.changed_lines,
                w::review_time(o.median_review_hours)
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
                html_escape(&w::outcome(&p.trace))
            ));
        }
        body.push_str("</ul>\n");
    }
    if let Some(seed) = audit.sample_seed {
        body.push_str(&format!("<h2>{}</h2>\n<ul>\n", html_escape(&w::sample(audit.sample.len(), seed))));
        for number in &audit.sample {
            if let Some(p) = audit.prs.iter().find(|p| p.number == *number) {
                body.push_str(&format!("<li>{}</li>\n", html_escape(&trace_line(p))));
            }
        }
        body.push_str("</ul>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\nbody{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}}\ntable{{border-collapse:collapse;margin:1rem 0}}\nth,td{{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}}\ntd.n{{text-align:right}}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html_escape(&w::title(&audit.repo))
    )
}
