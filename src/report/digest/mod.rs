//! Digest renderers: pure functions that turn a `Digest` into what people read (Markdown for a
//! GitHub issue, one self-contained HTML page, a Slack Block Kit message, JSON for tools).
//!
//! No I/O here: the caller decides where the text goes (a file, an issue, a webhook). Every
//! sentence comes from `crate::wording::digest`, so the four formats say the same thing.

mod changes;
mod common;
mod escape;
pub mod html;
mod hygiene;
pub(crate) mod json;
pub(crate) mod markdown;
pub(crate) mod slack;
mod svg;
pub(crate) mod team;
mod tools;

use std::fmt;
use std::str::FromStr;

pub use common::Notice;
pub(crate) use common::pr_url;

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

/// The digest in `format`. Slack's payload comes back as its JSON text, ready to POST.
pub fn render(format: Format, digest: &Digest) -> String {
    render_with(format, digest, None)
}

/// The digest in `format`, with `notice` above its figures when there is one.
pub(crate) fn render_with(format: Format, digest: &Digest, notice: Option<&Notice>) -> String {
    match format {
        Format::Markdown => markdown::render_with(digest, notice),
        Format::Html => html::render_with(digest, notice),
        Format::Slack => slack::render_with(digest, notice).to_string(),
        Format::Json => json::render_with(digest, notice),
    }
}

#[cfg(test)]
mod tests;
