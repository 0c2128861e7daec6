//! What every format shares: the notice shown above the figures, whether the week was quiet,
//! its first and last day, figures written with one decimal, links to PRs, and a table's columns.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::latency::Spread;
use crate::latency::digest::Digest;

/// A warning shown above the digest's figures, such as that the policy's settings could not be
/// read (worded by `crate::wording::digest`). Each format shows it in its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice(pub String);

/// A table's column: its heading (from `crate::wording::digest`) and whether it holds figures,
/// which Markdown and HTML align to the right.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Column<'a> {
    Text(&'a str),
    Num(&'a str),
}

/// The columns of a group table (by tier, by AI use), whose times are in `unit`: the headings
/// that name the unit are made once, and every format lays out the same columns.
pub(crate) struct GroupColumns([String; 5]);

impl GroupColumns {
    pub(crate) fn new(unit: &str) -> GroupColumns {
        use crate::wording::digest as w;
        GroupColumns([
            w::col_first_review(unit),
            w::col_first_review_p90(unit),
            w::col_open_to_merge(unit),
            w::col_on_reviewers(unit),
            w::col_on_authors(unit),
        ])
    }

    pub(crate) fn columns(&self) -> [Column<'_>; 9] {
        use crate::wording::digest as w;
        let [first, p90, open, reviewers, authors] = &self.0;
        [
            Column::Text(w::COL_GROUP),
            Column::Num(w::COL_PRS),
            Column::Num(w::COL_MERGED),
            Column::Num(first),
            Column::Num(p90),
            Column::Num(open),
            Column::Num(reviewers),
            Column::Num(authors),
            Column::Num(w::COL_AWAITING),
        ]
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
