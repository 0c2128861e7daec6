//! What `flowgate org status` says: the table's headline, its column names, and each cell's words.

use super::count;
use crate::doctor::org::{LastEvaluation, PolicySource, Queue, RepoStatus};
use crate::doctor::{Outcome, Source};
use crate::model::Enforcement;

/// What a cell shows when the value is not known (not installed, or not read).
pub const UNKNOWN: &str = "-";

pub const COLUMNS: [&str; 9] = [
    "repository",
    "installed",
    "policy",
    "baseline",
    "enforcement",
    "flowgate required by",
    "merge queue",
    "doctor",
    "last evaluation",
];

pub fn headline(org: &str, installed: bool, repos: usize, with_app: usize) -> String {
    if !installed {
        return format!("{org}: the App is not installed on this organization");
    }
    format!("{org}: {}, the App installed on {with_app}", count(repos as u64, "repository", "repositories"))
}

pub fn truncated(shown: usize) -> String {
    format!("Only the first {shown} repositories are shown: the organization has more.")
}

pub fn installed(row: &RepoStatus) -> String {
    let base = if row.installed { "yes" } else { "no" };
    if row.archived { format!("{base} (archived)") } else { base.to_string() }
}

pub fn policy(policy: &PolicySource) -> String {
    match policy {
        PolicySource::Missing => "no .github/flowgate.yml".into(),
        PolicySource::File { extends } if extends.is_empty() => ".github/flowgate.yml".into(),
        PolicySource::File { extends } => format!(".github/flowgate.yml, extends {}", extends.join(", ")),
        PolicySource::Unreadable { why } => format!(".github/flowgate.yml, not readable: {why}"),
    }
}

/// The baseline cell: the entry's policy, or that the repository has none and whether that leaves
/// it ungated.
pub fn baseline(row: &RepoStatus) -> String {
    match (&row.baseline, row.gated) {
        (Some(source), _) => source.clone(),
        (None, Some(false)) => "none: not gated (no policy file, no baseline)".into(),
        (None, Some(true)) => "none".into(),
        (None, None) => UNKNOWN.into(),
    }
}

pub fn enforcement(mode: Enforcement) -> &'static str {
    match mode {
        Enforcement::Enforce => "enforce",
        Enforcement::Evaluate => "evaluate (shadow)",
    }
}

pub fn required_by(sources: &[Source]) -> String {
    if sources.is_empty() {
        return "not required".into();
    }
    sources.iter().map(super::doctor::source).collect::<Vec<_>>().join(", ")
}

pub fn queue(queue: Queue) -> &'static str {
    match queue {
        Queue::None => "none",
        Queue::Ready => "ready",
        Queue::Stalls => "stalls: a required check skips merge_group",
        Queue::CannotTell => "cannot tell",
    }
}

pub fn doctor(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ready => "ready",
        Outcome::NotReady => "not ready",
        Outcome::CannotTell => "cannot tell",
    }
}

pub fn last_evaluation(last: &LastEvaluation) -> String {
    format!("#{} {} ({}, {})", last.pr, last.state, last.at, last.enforcement.id())
}

/// A repository whose reads failed: the row's note.
pub fn row_error(error: &str) -> String {
    format!("could not be read: {error}")
}

/// The App's database could not be read: the last evaluations are left out.
pub fn no_database(why: &str) -> String {
    format!("The last evaluations are not shown: the App's database could not be read ({why}).")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(baseline: Option<&str>, gated: Option<bool>) -> RepoStatus {
        RepoStatus {
            repo: "acme/api".into(),
            archived: false,
            installed: true,
            policy: None,
            baseline: baseline.map(String::from),
            gated,
            enforcement: None,
            required_by: None,
            merge_queue: None,
            doctor: None,
            last_evaluation: None,
            error: None,
        }
    }

    #[test]
    fn cells_say_what_they_found() {
        let lines = [
            headline("acme", true, 3, 2),
            headline("acme", false, 0, 0),
            truncated(2000),
            policy(&PolicySource::Missing),
            policy(&PolicySource::File { extends: vec![] }),
            policy(&PolicySource::File { extends: vec!["strict".into(), "acme/policies:base.yml@v1".into()] }),
            policy(&PolicySource::Unreadable { why: "line 1: not YAML".into() }),
            enforcement(Enforcement::Evaluate).to_string(),
            required_by(&[]),
            required_by(&[Source::BranchProtection, Source::Ruleset { id: 7, name: Some("main".into()) }]),
            queue(Queue::Stalls).to_string(),
            doctor(Outcome::CannotTell).to_string(),
            last_evaluation(&LastEvaluation {
                pr: 12,
                at: "2026-12-01T10:00:00Z".into(),
                state: "fail".into(),
                enforcement: Enforcement::Evaluate,
            }),
            baseline(&row(Some("acme/.github:flowgate/strict.yml@main"), Some(true))),
            baseline(&row(None, Some(true))),
            baseline(&row(None, Some(false))),
            row_error("GET /repos/acme/api: 500"),
            no_database("connection refused"),
        ];
        insta::assert_snapshot!(lines.join("\n"), @r#"
        acme: 3 repositories, the App installed on 2
        acme: the App is not installed on this organization
        Only the first 2000 repositories are shown: the organization has more.
        no .github/flowgate.yml
        .github/flowgate.yml
        .github/flowgate.yml, extends strict, acme/policies:base.yml@v1
        .github/flowgate.yml, not readable: line 1: not YAML
        evaluate (shadow)
        not required
        branch protection, ruleset "main"
        stalls: a required check skips merge_group
        cannot tell
        #12 fail (2026-12-01T10:00:00Z, evaluate)
        acme/.github:flowgate/strict.yml@main
        none
        none: not gated (no policy file, no baseline)
        could not be read: GET /repos/acme/api: 500
        The last evaluations are not shown: the App's database could not be read (connection refused).
        "#);
    }
}
