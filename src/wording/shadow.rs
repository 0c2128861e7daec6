//! Shadow mode (`enforcement: evaluate`) in words, on every surface: the neutral check run's
//! title and first line, for a verdict, a PR flowgate could not judge and a merge group; the note
//! `flowgate check` prints; and why a PR would have failed, by kind, which the digest counts too.

use crate::model::FailReason;
use crate::policy::verdict::{LinkageState, State, Verdict};
use crate::wording::Flavor;
use crate::wording::verdict::{gap, review_missing};

/// What the check run's title starts with.
const TITLE_START: &str = "Shadow mode";

/// Why a PR would have failed, short enough for a title: "Shadow mode: would fail — no story linked".
pub fn fail_reason(reason: FailReason) -> &'static str {
    match reason {
        FailReason::NoStory => "no story linked",
        FailReason::StoryChain => "the story's chain is broken",
        FailReason::StoryNotVerified => "the story could not be verified",
        FailReason::AiNotDeclared => "AI use not declared",
        FailReason::AiUndeclared => "AI markers found, AI use not declared",
        FailReason::AiContradicted => "declares no AI use, but AI markers were found",
        FailReason::TooLarge => "over the size limits",
        FailReason::ListingCapped => "GitHub's listing caps hid files or commits",
        FailReason::EditedPolicy => "the PR's edit of the policy does not load",
        FailReason::CannotEvaluate => "flowgate could not judge the PR",
    }
}

/// The check run's title: "Shadow mode: would pass", "Shadow mode: would fail — REASON".
pub fn title(would: State, reason: &str) -> String {
    let verb = would_word(would);
    if reason.is_empty() { format!("{TITLE_START}: {verb}") } else { format!("{TITLE_START}: {verb} — {reason}") }
}

/// The summary's first line: that flowgate is in shadow mode, that the check never blocks, and
/// what flowgate would have concluded (and why, when `reason` says).
pub fn note(would: State, reason: &str, f: Flavor) -> String {
    let mode = f.code("enforcement: evaluate");
    let shadow = match f {
        Flavor::Markdown => "**Shadow mode**",
        Flavor::Plain => "Shadow mode",
    };
    let outcome = match would {
        State::Pass => "would have passed",
        State::Pending => "would have been pending",
        State::Fail => "would have failed",
    };
    let why = if reason.is_empty() { String::new() } else { format!(": {reason}") };
    format!("{shadow} ({mode}): this check never blocks a merge. Enforced, it {outcome}{why}.")
}

fn would_word(would: State) -> &'static str {
    match would {
        State::Pass => "would pass",
        State::Pending => "would be pending",
        State::Fail => "would fail",
    }
}

/// Why the verdict is what it is, in one clause: the failing rules, what a pending PR waits for,
/// or nothing for a pass (an overridden pass says so).
pub fn verdict_reason(v: &Verdict) -> String {
    match v.state {
        State::Fail => v.fail_reasons().into_iter().map(fail_reason).collect::<Vec<_>>().join("; "),
        State::Pending => {
            let missing = review_missing(v);
            if !missing.is_empty() {
                format!("waiting for review: {}", missing.join("; "))
            } else if let Some(first) = v.gaps.first() {
                gap(first)
            } else if v.linkage.state == LinkageState::Pending {
                "the story is not verified yet".to_string()
            } else {
                String::new()
            }
        }
        State::Pass if v.rules_state != State::Pass => "overridden".to_string(),
        State::Pass => String::new(),
    }
}

/// The neutral check run's title for a verdict.
pub fn verdict_title(v: &Verdict) -> String {
    title(v.state, &verdict_reason(v))
}

/// The first line of the report in shadow mode, for a verdict.
pub fn verdict_note(v: &Verdict, f: Flavor) -> String {
    note(v.state, &verdict_reason(v), f)
}

/// `flowgate check --format summary` in shadow mode: the usual line, marked.
pub fn summary_line(summary: &str) -> String {
    format!("[shadow mode: never blocks] {summary}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_in_a_title() {
        let titles: Vec<String> = FailReason::ALL.into_iter().map(|r| title(State::Fail, fail_reason(r))).collect();
        insta::assert_snapshot!(titles.join("\n"), @r"
        Shadow mode: would fail — no story linked
        Shadow mode: would fail — the story's chain is broken
        Shadow mode: would fail — the story could not be verified
        Shadow mode: would fail — AI use not declared
        Shadow mode: would fail — AI markers found, AI use not declared
        Shadow mode: would fail — declares no AI use, but AI markers were found
        Shadow mode: would fail — over the size limits
        Shadow mode: would fail — GitHub's listing caps hid files or commits
        Shadow mode: would fail — the PR's edit of the policy does not load
        Shadow mode: would fail — flowgate could not judge the PR
        ");
    }

    #[test]
    fn the_title_and_note_for_each_outcome() {
        let cases = [
            (State::Pass, ""),
            (State::Pending, "waiting for review: 1 more approval (red tier)"),
            (State::Fail, "no story linked; over the size limits"),
        ];
        let lines: Vec<String> = cases
            .iter()
            .flat_map(|(s, r)| [title(*s, r), note(*s, r, Flavor::Markdown), note(*s, r, Flavor::Plain)])
            .collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        Shadow mode: would pass
        **Shadow mode** (`enforcement: evaluate`): this check never blocks a merge. Enforced, it would have passed.
        Shadow mode (enforcement: evaluate): this check never blocks a merge. Enforced, it would have passed.
        Shadow mode: would be pending — waiting for review: 1 more approval (red tier)
        **Shadow mode** (`enforcement: evaluate`): this check never blocks a merge. Enforced, it would have been pending: waiting for review: 1 more approval (red tier).
        Shadow mode (enforcement: evaluate): this check never blocks a merge. Enforced, it would have been pending: waiting for review: 1 more approval (red tier).
        Shadow mode: would fail — no story linked; over the size limits
        **Shadow mode** (`enforcement: evaluate`): this check never blocks a merge. Enforced, it would have failed: no story linked; over the size limits.
        Shadow mode (enforcement: evaluate): this check never blocks a merge. Enforced, it would have failed: no story linked; over the size limits.
        ");
        insta::assert_snapshot!(summary_line("flowgate FAIL · 🔴 red"), @"[shadow mode: never blocks] flowgate FAIL · 🔴 red");
    }
}
