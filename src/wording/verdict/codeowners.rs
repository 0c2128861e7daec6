//! The code owners' approvals (`review.codeowners: required`): each CODEOWNERS line that owns
//! changed files, its owners, who of them approved, what is still missing, and why a CODEOWNERS
//! that cannot be fully read meets nothing.

use super::frame::more;
use super::section::{Mark, Section};
use crate::model::codeowners::{CodeownersError, LOCATIONS, LineProblem, MAX_BYTES, Owner, PatternProblem, Unread};
use crate::policy::codeowners::{CodeownersProblem, CodeownersVerdict, OwnerGroup};
use crate::policy::verdict::Verdict;
use crate::wording::{Flavor, count};

/// Lines shown in the section; the JSON has them all.
const GROUPS_SHOWN: usize = 30;
/// Errors shown; past this many they are counted.
const ERRORS_SHOWN: usize = 10;
/// Paths named in one line; past this many they are counted.
const FILES_SHOWN: usize = 5;
/// Owners named in one line; past this many they are counted.
const OWNERS_SHOWN: usize = 5;

/// Why one CODEOWNERS line could not be read.
pub fn line_problem(why: &LineProblem, f: Flavor) -> String {
    match why {
        LineProblem::Pattern(PatternProblem::Negation) => "`!` negation does not work in CODEOWNERS".to_string(),
        LineProblem::Pattern(PatternProblem::CharacterRange) => {
            "`[ ]` character ranges do not work in CODEOWNERS".to_string()
        }
        LineProblem::Pattern(PatternProblem::EscapedHash) => {
            "a pattern cannot start with `\\#`: CODEOWNERS has no escaping, and `#` starts a comment".to_string()
        }
        LineProblem::Pattern(PatternProblem::ThreeStars) => {
            "`***` is not a pattern: `**` crosses directories".to_string()
        }
        LineProblem::Pattern(PatternProblem::EmptySegment) => {
            "`//` leaves an empty directory name in the pattern".to_string()
        }
        LineProblem::Pattern(PatternProblem::TooLong) => "the pattern is too long to read".to_string(),
        LineProblem::Owner(word) => {
            format!("{} is not an owner: write `@login`, `@org/team` or an e-mail address", f.code(word))
        }
        LineProblem::SectionUnclosed => "the section header has no closing `]`".to_string(),
        LineProblem::SectionNameEmpty => "the section header has no name".to_string(),
        LineProblem::SectionCount(text) => format!(
            "{} is not a number of approvals: write a whole number of 1 or more, as in `[Docs][2]`",
            f.code(&format!("[{text}]"))
        ),
    }
}

/// One error with where it is: `line 4, column 6 (src/ alice): alice is not an owner: ...`.
pub fn codeowners_error(e: &CodeownersError, f: Flavor) -> String {
    let at = match e.column {
        Some(column) => format!("line {}, column {column}", e.line),
        None => format!("line {}", e.line),
    };
    let text: String = e.text.chars().take(80).collect();
    format!("{at} ({}): {}", f.code(&text), line_problem(&e.why, f))
}

/// Why no approval counts as a code owner's, as one sentence.
pub fn codeowners_problem(problem: &CodeownersProblem, path: Option<&str>, f: Flavor) -> String {
    let file = f.code(path.unwrap_or("CODEOWNERS"));
    match problem {
        CodeownersProblem::NotGathered => {
            "CODEOWNERS was not read, so no code owner's approval can be recognised".to_string()
        }
        CodeownersProblem::Missing => format!(
            "the base branch has no CODEOWNERS (looked at {}), so no code owner can approve",
            LOCATIONS.iter().map(|l| f.code(l)).collect::<Vec<_>>().join(", ")
        ),
        CodeownersProblem::Unreadable(Unread::TooLarge { bytes }) => format!(
            "{file} cannot be read: {bytes} bytes is over the {} MB GitHub reads of a CODEOWNERS",
            MAX_BYTES / (1024 * 1024)
        ),
        CodeownersProblem::Unreadable(Unread::Error(error)) => format!("{file} cannot be read: {error}"),
        CodeownersProblem::Errors(errors) => format!(
            "{file} has {}, so no approval counts as a code owner's until it is fixed",
            count(errors.len() as u64, "error", "errors")
        ),
    }
}

fn owners(owners: &[Owner], f: Flavor) -> String {
    let mut names: Vec<String> = owners.iter().take(OWNERS_SHOWN).map(|o| f.code(&o.text())).collect();
    if owners.len() > OWNERS_SHOWN {
        names.push(format!("{} more", owners.len() - OWNERS_SHOWN));
    }
    match names.len() {
        0 => String::new(),
        1 => names.remove(0),
        n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

fn paths(paths: &[String], f: Flavor) -> String {
    let mut shown: Vec<String> = paths.iter().take(FILES_SHOWN).map(|p| f.code(p)).collect();
    if paths.len() > FILES_SHOWN {
        shown.push(more(paths.len() - FILES_SHOWN));
    }
    shown.join(", ")
}

/// `/src/auth/ (line 4)` or `docs/ in [Docs][2] (line 9)`.
fn owning_line(g: &OwnerGroup, f: Flavor) -> String {
    let section = match (&g.section, g.optional, g.approvals) {
        (None, _, _) => String::new(),
        (Some(name), true, _) => format!(" in {}", f.code(&format!("^[{name}]"))),
        (Some(name), false, 1) => format!(" in {}", f.code(&format!("[{name}]"))),
        (Some(name), false, n) => format!(" in {}", f.code(&format!("[{name}][{n}]"))),
    };
    format!("{}{section} (line {})", f.code(&g.pattern), g.line)
}

/// One owning line: whether it is met, its owners, their approvals and its files.
pub fn owner_group(g: &OwnerGroup, f: Flavor) -> String {
    let mark = match (g.optional, g.met) {
        (true, _) => "optional:",
        (false, true) => "met:",
        (false, false) => "needs:",
    };
    let approved: Vec<String> = g.approved_by.iter().map(|l| f.code(l.as_str())).collect();
    let approvals = match (approved.is_empty(), g.approvals) {
        (true, 1) => "no owner has approved".to_string(),
        (true, n) => format!("{n} owners must approve, none has"),
        (false, 1) => format!("approved by {}", approved.join(", ")),
        (false, n) => format!("{} of the {n} owners' approvals it needs: {}", approved.len(), approved.join(", ")),
    };
    format!("{mark} {}, owned by {}: {approvals}; {}", owning_line(g, f), owners(&g.owners, f), paths(&g.files, f))
}

/// What an unmet requirement still needs, one phrase each, as `review.missing` lists them.
pub fn codeowners_missing(v: &Verdict, f: Flavor) -> Vec<String> {
    let Some(c) = &v.review.codeowners else { return Vec::new() };
    if let Some(problem) = &c.problem {
        return vec![match problem {
            CodeownersProblem::Errors(errors) => {
                let lines: Vec<String> = errors.iter().take(ERRORS_SHOWN).map(|e| e.line.to_string()).collect();
                let file = f.code(c.path.as_deref().unwrap_or("CODEOWNERS"));
                format!(
                    "CODEOWNERS to be fixed ({file}, {}: {})",
                    if errors.len() == 1 { "line" } else { "lines" },
                    lines.join(", ")
                )
            }
            CodeownersProblem::Missing => "a CODEOWNERS file on the base branch (code owners must approve)".to_string(),
            CodeownersProblem::Unreadable(_) | CodeownersProblem::NotGathered => {
                format!("a CODEOWNERS flowgate can read ({})", codeowners_problem(problem, c.path.as_deref(), f))
            }
        }];
    }
    c.groups
        .iter()
        .filter(|g| !g.optional && !g.met)
        .map(|g| {
            let short = (g.approvals as usize).saturating_sub(g.approved_by.len());
            let what = match (short, g.approvals) {
                (1, 1) => "an approval from a code owner".to_string(),
                (n, _) => format!("{n} more {} from code owners", if n == 1 { "approval" } else { "approvals" }),
            };
            format!("{what} of {}: {}", owning_line(g, f), owners(&g.owners, f))
        })
        .collect()
}

/// The section shown under Review when code owners must approve.
pub fn codeowners_section(v: &Verdict, f: Flavor) -> Option<Section> {
    let c: &CodeownersVerdict = v.review.codeowners.as_ref()?;
    let required: Vec<&OwnerGroup> = c.groups.iter().filter(|g| !g.optional).collect();
    let headline = match &c.problem {
        Some(problem) => codeowners_problem(problem, c.path.as_deref(), f),
        None if required.is_empty() => "no changed file has a code owner whose approval is required".to_string(),
        None if c.met => format!(
            "the owners of every changed file approved ({})",
            count(required.len() as u64, "CODEOWNERS line", "CODEOWNERS lines")
        ),
        None => {
            let waiting = required.iter().filter(|g| !g.met).count();
            format!(
                "waiting for the owners of {waiting} of {}",
                count(required.len() as u64, "CODEOWNERS line", "CODEOWNERS lines")
            )
        }
    };
    let mut details = Vec::new();
    if let Some(path) = &c.path {
        details.push(format!("read from {} on the base branch", f.code(path)));
    }
    if let Some(CodeownersProblem::Errors(errors)) = &c.problem {
        details.extend(errors.iter().take(ERRORS_SHOWN).map(|e| codeowners_error(e, f)));
        if errors.len() > ERRORS_SHOWN {
            details.push(more(errors.len() - ERRORS_SHOWN));
        }
    }
    for g in c.groups.iter().take(GROUPS_SHOWN) {
        details.push(owner_group(g, f));
        for team in &g.unknown_teams {
            details.push(format!("members of {} are unknown (list them under `teams:` or let flowgate read them from GitHub), so their approvals cannot be recognised", f.code(team)));
        }
        for email in &g.unmatched {
            details.push(format!(
                "{} names no GitHub account flowgate can see: write the owner's `@login` (or their GitHub noreply address)",
                f.code(email)
            ));
        }
    }
    if c.groups.len() > GROUPS_SHOWN {
        details.push(more(c.groups.len() - GROUPS_SHOWN));
    }
    // With a problem, what is unowned is not known: the lines flowgate could not read may own it.
    if !c.unowned.is_empty() && c.problem.is_none() {
        details.push(format!("no code owner, so no owner's approval needed: {}", paths(&c.unowned, f)));
    }
    let mark = if c.met { Mark::Pass } else { Mark::Pending };
    Some(Section { title: "Code owners", mark, headline, details })
}

#[cfg(test)]
mod tests;
