//! The report's frame: its title, the PR line, the effort, the one-line summary, the check
//! run's title, the headings around the rules, the override, and the rules in reading order.

use super::ai::{ai_section, declared_word};
use super::codeowners::codeowners_section;
use super::edited_policy::{edited_policy_section, edited_policy_summary};
use super::gaps::{gap, gaps_section};
use super::limits::limits_section;
use super::linkage::linkage_section;
use super::review::{review_missing, review_section, reviewers_section};
use super::section::{Mark, Section, state_word, tier_emoji};
use crate::policy::Tier;
use crate::policy::verdict::{ChainOutcome, LinkageState, State, Verdict};
use crate::wording::{Flavor, count};

/// The head of the Markdown table of rules: `| | Rule | Result |`.
pub const RULE_COLUMN: &str = "Rule";
pub const RESULT_COLUMN: &str = "Result";
pub const FILES_BY_TIER: &str = "Files by tier";
pub const NO_FILES: &str = "No changed files.";

/// What replaces the end of a report too long for a check run.
pub const REPORT_CUT: &str = "… The report was cut here: it is longer than GitHub allows in a check run. `flowgate check --repo OWNER/NAME --pr N` prints all of it.";

/// The title of the report: the state, the tier and, when overridden, that fact.
pub fn title(v: &Verdict) -> String {
    let overridden = if v.state != v.rules_state { " (overridden)" } else { "" };
    format!("flowgate: {}{overridden}, {} tier", state_word(v.state), v.tier)
}

pub fn pr_line(v: &Verdict) -> String {
    let mut parts = Vec::new();
    match (&v.pr.repo, v.pr.number) {
        (Some(repo), Some(n)) => parts.push(format!("{repo}#{n}")),
        (None, Some(n)) => parts.push(format!("PR #{n}")),
        _ => {}
    }
    if !v.pr.title.is_empty() {
        parts.push(format!("\"{}\"", v.pr.title));
    }
    if !v.pr.author.as_str().is_empty() {
        parts.push(format!("by {}", v.pr.author));
    }
    parts.join(" ")
}

pub fn effort_line(v: &Verdict) -> String {
    if v.effort_minutes >= crate::analysis::effort::DAY_MINUTES {
        return "estimated review effort: more than a day (consider splitting the PR)".to_string();
    }
    format!("estimated review effort: about {}", count(v.effort_minutes.into(), "minute", "minutes"))
}

/// A tier's heading in the terminal: `🔴 red (2 files)`.
pub fn tier_heading(tier: Tier, files: usize) -> String {
    format!("{} {tier} ({})", tier_emoji(tier), count(files as u64, "file", "files"))
}

/// The line that ends a listing cut short: `… and 3 more`.
pub fn more(n: usize) -> String {
    format!("… and {n} more")
}

/// The one-line summary: what a status line or a log shows.
pub fn summary(v: &Verdict) -> String {
    let mut parts =
        vec![format!("flowgate {}", state_word(v.state).to_uppercase()), format!("{} {}", tier_emoji(v.tier), v.tier)];
    let keys = v.linkage.keys();
    parts.push(match v.linkage.state {
        LinkageState::Pass if keys.is_empty() => "story: none (optional)".to_string(),
        LinkageState::Pass => format!("story: {}", keys.join(", ")),
        LinkageState::Exempt => "story: exempt".to_string(),
        LinkageState::Fail if keys.is_empty() => "story: missing".to_string(),
        LinkageState::Fail => match v.linkage.chain.as_ref().map(|c| &c.outcome) {
            Some(ChainOutcome::Unseen { .. }) => format!("story: {} (not verified)", keys.join(", ")),
            _ => format!("story: {} (chain broken)", keys.join(", ")),
        },
        LinkageState::Pending => format!("story: {} (not verified yet)", keys.join(", ")),
    });
    let detected: Vec<&str> = v.ai.detected().iter().map(|t| t.id()).collect();
    let declared = v.ai.declared.map_or("undeclared", declared_word);
    parts.push(if detected.is_empty() {
        format!("AI: {declared}")
    } else {
        format!("AI: {declared}, detected {}", detected.join(", "))
    });
    let counted = v.review.approved_by.len();
    parts.push(format!("review: {counted}/{} approvals", v.review.required));
    parts.push(if v.effort_minutes >= crate::analysis::effort::DAY_MINUTES {
        "review: more than a day".to_string()
    } else {
        format!("~{} min review", v.effort_minutes)
    });
    parts.extend(edited_policy_summary(v).map(String::from));
    if v.state != v.rules_state {
        parts.push("overridden".to_string());
    }
    parts.join(" · ")
}

/// The line GitHub shows next to the check's name: for a pending PR, what it waits for.
pub fn check_run_title(v: &Verdict) -> String {
    if v.state != State::Pending {
        return summary(v);
    }
    let missing = review_missing(v);
    if !missing.is_empty() {
        format!("Waiting for review: {}", missing.join("; "))
    } else if let Some(first) = v.gaps.first() {
        format!("Pending: {}", gap(first))
    } else {
        summary(v)
    }
}

pub fn override_section(v: &Verdict, f: Flavor) -> Option<Section> {
    let o = v.override_.as_ref()?;
    let label = f.code(&o.label);
    Some(match (&o.applied_by, o.accepted) {
        (Some(by), true) => Section {
            title: "Override",
            mark: Mark::Pass,
            headline: format!("overridden by {} with label {label}", f.code(by.as_str())),
            details: if v.rules_state == State::Pass {
                vec![]
            } else {
                vec![format!("without it the gate would be {}", state_word(v.rules_state))]
            },
        },
        (Some(by), false) => Section {
            title: "Override",
            mark: Mark::Fail,
            headline: format!(
                "label {label} was applied by {}, who may not override; it is ignored",
                f.code(by.as_str())
            ),
            details: vec![],
        },
        (None, _) => Section {
            title: "Override",
            mark: Mark::Fail,
            headline: format!("label {label} is present but who applied it is unknown; it is ignored"),
            details: vec![],
        },
    })
}

/// All rule sections in reading order.
pub fn sections(v: &Verdict, f: Flavor) -> Vec<Section> {
    let mut out = vec![linkage_section(v, f), ai_section(v, f), review_section(v, f)];
    out.extend(codeowners_section(v, f));
    out.extend(reviewers_section(v, f));
    out.push(limits_section(v));
    out.extend(gaps_section(v));
    out.extend(edited_policy_section(v, f));
    out.extend(override_section(v, f));
    out
}
