//! The hygiene section in Markdown, HTML and Slack: a heading per kind of fact, then one line per
//! PR, its link first. Each format shows logins and free text its own way; the sentences are
//! `crate::wording::digest::hygiene`'s. JSON carries the figures as they are (`Digest::hygiene`).

use super::common::pr_url;
use super::escape::escape;
use super::markdown::{code, text};
use crate::latency::Hygiene;
use crate::latency::digest::Digest;
use crate::latency::hygiene::PrRef;
use crate::wording::digest::hygiene as wh;
use crate::wording::digest::unit;

/// One subsection: its heading and its lines.
struct Part {
    heading: String,
    lines: Vec<Line>,
}

/// A line: the PRs it is about and the sentence, the PRs before it (`acme/api#7: merged by …`)
/// or, when `prs_after`, after it (`carol: 2 review requests … on acme/api#7, acme/web#9`).
struct Line {
    prs: Vec<PrRef>,
    sentence: String,
    prs_after: bool,
}

impl Line {
    fn before(pr: &PrRef, sentence: String) -> Line {
        Line { prs: vec![pr.clone()], sentence, prs_after: false }
    }

    /// The line with its PRs, each shown with `link`.
    fn render(&self, link: &dyn Fn(&PrRef) -> String) -> String {
        let prs: Vec<String> = self.prs.iter().map(link).collect();
        match (prs.is_empty(), self.prs_after) {
            (true, _) => self.sentence.clone(),
            (false, true) => format!("{} {}", self.sentence, prs.join(", ")),
            (false, false) => format!("{}: {}", prs.join(", "), self.sentence),
        }
    }
}

/// The section's parts as one format words them: `name` for logins, `plain` for free text.
fn parts(h: &Hygiene, unit: &str, name: &dyn Fn(&str) -> String, plain: &dyn Fn(&str) -> String) -> Vec<Part> {
    let mut bypasses: Vec<Line> = h.bypasses.iter().map(|b| Line::before(&b.pr, wh::bypass_line(b, name))).collect();
    if h.merges_unseen > 0 {
        bypasses.push(Line { prs: Vec::new(), sentence: plain(&wh::unseen(h.merges_unseen)), prs_after: false });
    }
    let parts = [
        Part {
            heading: wh::OVERRIDES.to_string(),
            lines: h.overrides.iter().map(|o| Line::before(&o.pr, wh::override_line(o, name, plain))).collect(),
        },
        Part { heading: wh::BYPASSES.to_string(), lines: bypasses },
        Part {
            heading: wh::approved_heading(h, unit),
            lines: h
                .approved_unmerged
                .iter()
                .map(|a| Line::before(&a.pr, plain(&wh::approved_line(a, unit))))
                .collect(),
        },
        Part {
            heading: wh::idle_heading(h),
            lines: h.idle.iter().map(|i| Line::before(&i.pr, plain(&wh::idle_line(i)))).collect(),
        },
        Part {
            heading: wh::EXEMPT.to_string(),
            lines: h.exempt_merges.iter().map(|e| Line::before(&e.pr, wh::exempt_line(e, name, plain))).collect(),
        },
        Part {
            heading: wh::OVER_CAPACITY.to_string(),
            lines: h
                .over_capacity
                .iter()
                .map(|c| Line { prs: c.prs.clone(), sentence: wh::over_capacity_line(c, name), prs_after: true })
                .collect(),
        },
    ];
    parts.into_iter().filter(|p| !p.lines.is_empty()).collect()
}

/// `acme/api#7` as text, for the formats that link it themselves.
fn pr_name(pr: &PrRef) -> String {
    format!("{}#{}", pr.repo, pr.pr)
}

/// The Markdown section; GitHub links `owner/repo#N` itself.
pub(crate) fn markdown(out: &mut String, digest: &Digest) {
    let Some(h) = &digest.hygiene else { return };
    out.push_str(&format!("## {}\n\n{}\n\n", wh::HYGIENE, text(wh::NOTE)));
    for part in parts(h, unit(digest.clock), &code, &text) {
        out.push_str(&format!("**{}**\n\n", text(&part.heading)));
        for line in &part.lines {
            out.push_str(&format!("- {}\n", line.render(&|p| format!("{}#{}", text(&p.repo), p.pr))));
        }
        out.push('\n');
    }
}

/// The HTML section: each PR a link to its page.
pub(crate) fn html(out: &mut String, digest: &Digest) {
    let Some(h) = &digest.hygiene else { return };
    let link = |pr: &PrRef| {
        let name = escape(&pr_name(pr));
        match pr_url(&pr.repo, pr.pr) {
            Some(url) => format!("<a href=\"{}\">{name}</a>", escape(&url)),
            None => name,
        }
    };
    let login = |n: &str| format!("<code>{}</code>", escape(n));
    let mut inner = format!("<p>{}</p>\n", escape(wh::NOTE));
    for part in parts(h, unit(digest.clock), &login, &escape) {
        inner.push_str(&format!("<h3>{}</h3>\n<ul class=\"hygiene\">\n", escape(&part.heading)));
        for line in &part.lines {
            inner.push_str(&format!("<li>{}</li>\n", line.render(&link)));
        }
        inner.push_str("</ul>\n");
    }
    out.push_str(&format!("<section class=\"hygiene\">\n<h2>{}</h2>\n{inner}</section>\n", escape(wh::HYGIENE)));
}

/// The Slack section's mrkdwn text, each PR linked; `None` without a section.
pub(crate) fn slack(digest: &Digest) -> Option<String> {
    let h = digest.hygiene.as_ref()?;
    let esc = super::slack::escape;
    let link = |pr: &PrRef| {
        let name = esc(&pr_name(pr));
        match pr_url(&pr.repo, pr.pr) {
            Some(url) => format!("<{url}|{name}>"),
            None => name,
        }
    };
    let mut out = format!("*{}*", esc(wh::HYGIENE));
    for part in parts(h, unit(digest.clock), &esc, &esc) {
        out.push_str(&format!("\n_{}_", esc(&part.heading)));
        for line in &part.lines {
            out.push_str(&format!("\n• {}", line.render(&link)));
        }
    }
    Some(out)
}
