//! Digest renderers: pure functions that turn a `Digest` into what people read (Markdown for a
//! GitHub issue, one self-contained HTML page, a Slack Block Kit message, JSON for tools).
//!
//! No I/O here: the caller decides where the text goes (a file, an issue, a webhook). Every
//! sentence comes from `crate::wording::digest`, so the four formats say the same thing.

mod escape;
pub mod html;
pub mod json;
pub mod markdown;
pub mod slack;
mod svg;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::latency::Spread;
use crate::latency::digest::Digest;

/// The formats `flowgate digest --format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Slack,
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Markdown, Format::Html, Format::Slack, Format::Json];

    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Slack => "slack",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--format` value that names no format; its message lists the ones that exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        write!(f, "unknown digest format `{}`: use one of {}", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim();
        Format::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(wanted)).ok_or(UnknownFormat(text.to_string()))
    }
}

/// A warning shown above the digest's figures, such as that the policy's settings could not be
/// read (worded by `crate::wording::digest`). Each format shows it in its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice(pub String);

/// The digest in `format`. Slack's payload comes back as its JSON text, ready to POST.
pub fn render(format: Format, digest: &Digest) -> String {
    render_with(format, digest, None)
}

/// The digest in `format`, with `notice` above its figures when there is one.
pub fn render_with(format: Format, digest: &Digest, notice: Option<&Notice>) -> String {
    match format {
        Format::Markdown => markdown::render_with(digest, notice),
        Format::Html => html::render_with(digest, notice),
        Format::Slack => slack::render_with(digest, notice).to_string(),
        Format::Json => json::render_with(digest, notice),
    }
}

/// Nothing happened: no PR was active, nobody carried load, nothing waits. Renderers then say so
/// in one line instead of drawing empty tables.
pub(crate) fn is_quiet(digest: &Digest) -> bool {
    digest.totals.prs_active == 0 && digest.reviewers.is_empty() && digest.longest_waiting.is_empty()
}

/// The window as its first and last day in the digest's time zone: `[start, end)` ends the
/// moment before `end`, so a Monday-to-Monday window reads "3 Mar 2025 to 9 Mar 2025".
pub(crate) fn window_days(digest: &Digest) -> (String, String) {
    let zone = TimeZone::get(&digest.timezone).unwrap_or(TimeZone::UTC);
    let day = |seconds: i64| {
        Timestamp::from_second(seconds)
            .map(|t| t.to_zoned(zone.clone()).strftime("%-d %b %Y").to_string())
            .unwrap_or_else(|_| "?".to_string())
    };
    let start = digest.window.start.timestamp();
    let last = digest.window.end.timestamp().saturating_sub(1).max(start);
    (day(start), day(last))
}

/// One decimal: digest figures are read, not computed with.
pub(crate) fn number(value: f64) -> String {
    if value.is_finite() { format!("{value:.1}") } else { "–".to_string() }
}

/// A spread's median, or a dash when nothing completed.
pub(crate) fn median(spread: &Spread) -> String {
    spread.median.map_or_else(|| "–".to_string(), number)
}

pub(crate) fn p90(spread: &Spread) -> String {
    spread.p90.map_or_else(|| "–".to_string(), number)
}

/// The PR's page on github.com, when the repository name is plain `owner/name`; anything else is
/// shown as text only, so a strange name can never become a strange link.
pub(crate) fn pr_url(repo: &str, pr: u64) -> Option<String> {
    let (owner, name) = repo.split_once('/')?;
    let plain = |part: &str| {
        !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (plain(owner) && plain(name)).then(|| format!("https://github.com/{owner}/{name}/pull/{pr}"))
}
