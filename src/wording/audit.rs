//! Every sentence of `flowgate audit`: the title and scope, the coverage rows, the headings of
//! its lists, what happened to each PR and the trace of its chain. The audit's types sit above
//! this layer, so these take the words' parts; `audit::render` adds the Markdown or HTML.

use chrono::{DateTime, Utc};

use crate::model::Trace;

pub const ORPHANED: &str = "Orphaned PRs";
pub const BROKEN: &str = "Broken chains";
pub const NOT_VERIFIED: &str = "Not verified";
pub const NO_TOP_ITEM: &str = "No merged PR traces up to one.";

/// The coverage table's columns after the row's label, and the roll-up's.
pub const COLUMN_PRS: &str = "PRs";
pub const COLUMN_SHARE: &str = "share";
pub const COLUMN_CHANGED_LINES: &str = "changed lines";
pub const COLUMN_REVIEW_TIME: &str = "median review time";
pub const COLUMN_PRS_MERGED: &str = "PRs merged";

pub fn title(repo: &str) -> String {
    format!("Traceability audit: {repo}")
}

/// `Merged between … and …; a full chain reaches story -> epic -> okr.`
pub fn scope(since: DateTime<Utc>, until: DateTime<Utc>, levels: &[String]) -> String {
    format!("Merged between {} and {}; a full chain reaches {}.", time(since), time(until), levels_line(levels))
}

/// The policy's levels as the audit names them: `story -> epic -> okr`.
pub fn levels_line(levels: &[String]) -> String {
    levels.join(" -> ")
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The top level's name, or what the audit calls it when the policy names none.
pub fn top(levels: &[String]) -> &str {
    levels.last().map(String::as_str).unwrap_or("the top")
}

/// The labels of the coverage rows, in the order of `merged, with_key, traced, broken,
/// not_verified, exempt, orphaned`.
pub fn coverage_labels(top: &str) -> [String; 7] {
    [
        "Merged PRs".into(),
        "With a story key".into(),
        format!("Full chain up to {top}"),
        "Chain broken".into(),
        "Not verified (a tracker did not answer)".into(),
        "Exempt (no key, and the policy asks for none)".into(),
        "Orphaned (no key, or a key that does not resolve)".into(),
    ]
}

/// The heading of the roll-up by top item.
pub fn merged_work(top: &str) -> String {
    format!("Merged work per {top}")
}

/// A top item as the roll-up names it: its key, then its title when it has one.
pub fn top_item(key: &str, title: &str) -> String {
    if title.is_empty() { key.to_string() } else { format!("{key} {title}") }
}

pub fn sample(prs: usize, seed: u64) -> String {
    format!("Sample: {prs} PRs chosen at random (seed {seed})")
}

/// A median review time: hours, days past two of them, or `n/a`.
pub fn review_time(hours: Option<f64>) -> String {
    match hours {
        Some(h) if h >= 48.0 => format!("{:.1} d", h / 24.0),
        Some(h) => format!("{h:.1} h"),
        None => "n/a".into(),
    }
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

/// One item of a traced chain: `ABC-123 (story) 'Title'`.
pub fn chain_step(key: &str, level: Option<&str>, title: &str) -> String {
    let level = level.map(|l| format!(" ({l})")).unwrap_or_default();
    let title = if title.is_empty() { String::new() } else { format!(" '{title}'") };
    format!("{key}{level}{title}")
}

/// The full trace of one PR: `#12 -> ABC-123 (story) 'Title' -> ...: traced up to OKR-1`.
pub fn trace_line(number: u64, steps: &[String], trace: &Trace) -> String {
    let mut parts = vec![format!("#{number}")];
    parts.extend(steps.iter().cloned());
    format!("{}: {}", parts.join(" -> "), outcome(trace))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Vec<String> {
        vec!["story".into(), "epic".into(), "okr".into()]
    }

    #[test]
    fn the_title_the_scope_and_the_headings() {
        let since = DateTime::from_timestamp(1_740_960_000, 0).expect("a time");
        let until = DateTime::from_timestamp(1_743_552_000, 0).expect("a time");
        insta::assert_snapshot!(title("acme/shop"), @"Traceability audit: acme/shop");
        insta::assert_snapshot!(scope(since, until, &levels()), @"Merged between 2025-03-03 00:00 UTC and 2025-04-02 00:00 UTC; a full chain reaches story -> epic -> okr.");
        insta::assert_snapshot!(format!("{} | {}", top(&levels()), top(&[])), @"okr | the top");
        insta::assert_snapshot!(levels_line(&levels()), @"story -> epic -> okr");
        insta::assert_snapshot!(merged_work("okr"), @"Merged work per okr");
        insta::assert_snapshot!(sample(10, 7), @"Sample: 10 PRs chosen at random (seed 7)");
        let fixed = [
            ORPHANED,
            BROKEN,
            NOT_VERIFIED,
            NO_TOP_ITEM,
            COLUMN_PRS,
            COLUMN_SHARE,
            COLUMN_CHANGED_LINES,
            COLUMN_REVIEW_TIME,
            COLUMN_PRS_MERGED,
        ];
        insta::assert_snapshot!(fixed.join(" | "), @"Orphaned PRs | Broken chains | Not verified | No merged PR traces up to one. | PRs | share | changed lines | median review time | PRs merged");
    }

    #[test]
    fn the_coverage_rows() {
        insta::assert_snapshot!(coverage_labels("okr").join("\n"), @r"
        Merged PRs
        With a story key
        Full chain up to okr
        Chain broken
        Not verified (a tracker did not answer)
        Exempt (no key, and the policy asks for none)
        Orphaned (no key, or a key that does not resolve)
        ");
    }

    #[test]
    fn top_items_and_review_times() {
        insta::assert_snapshot!(top_item("OKR-1", "Cut churn"), @"OKR-1 Cut churn");
        insta::assert_snapshot!(top_item("OKR-1", ""), @"OKR-1");
        let times = [Some(3.25), Some(47.9), Some(60.0), None].map(review_time);
        insta::assert_snapshot!(times.join(", "), @"3.2 h, 47.9 h, 2.5 d, n/a");
    }

    #[test]
    fn each_outcome_and_a_full_trace() {
        let traces = [
            Trace::NoKey,
            Trace::Exempt { reason: "author dependabot[bot] is exempt".into() },
            Trace::NotFound { key: "ABC-9".into() },
            Trace::NotVerified { key: "ABC-9".into(), reason: "Jira answered 503".into() },
            Trace::Broken { key: "ABC-9".into(), at: None, missing: None, reason: "ABC-9 has no parent Epic".into() },
            Trace::Traced { key: "ABC-1".into(), okr: "OKR-2".into() },
        ];
        let outcomes: Vec<String> = traces.iter().map(outcome).collect();
        insta::assert_snapshot!(outcomes.join("\n"), @r"
        no story key in the title, branch or body
        exempt: author dependabot[bot] is exempt
        ABC-9 does not exist in its tracker
        not verified: ABC-9: Jira answered 503
        broken: ABC-9 has no parent Epic
        traced up to OKR-2
        ");
        let steps = [chain_step("ABC-1", Some("story"), "Rate-limit logins"), chain_step("OKR-2", None, "")];
        insta::assert_snapshot!(trace_line(12, &steps, &traces[5]), @"#12 -> ABC-1 (story) 'Rate-limit logins' -> OKR-2: traced up to OKR-2");
        insta::assert_snapshot!(trace_line(13, &[], &traces[0]), @"#13: no story key in the title, branch or body");
    }
}
