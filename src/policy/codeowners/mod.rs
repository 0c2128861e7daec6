//! `review.codeowners: required`: every changed file (and the old path of a rename) that the base
//! branch's CODEOWNERS gives owners needs approvals from them, per section and with the section's
//! count; optional sections are shown and never gate. Approvals are the ones the review rules
//! already counted (not the author's, a bot's or a stale one). A CODEOWNERS that is missing,
//! unreadable or has errors meets nothing (fail closed). Pure, like the rest of the engine.

mod verdict;

pub use verdict::{CodeownersProblem, CodeownersVerdict, OwnerGroup};

use super::verdict::{RequirementSource, ReviewStatus, ReviewVerdict};
use super::{CodeownersReview, Policy, ReviewRule};
use crate::model::codeowners::{BaseCodeowners, Codeowners, Owner};
use crate::model::{Login, PrFacts};

/// Whether any rule of the policy requires the code owners' approval, so that CODEOWNERS must be
/// gathered before the PR is judged.
pub fn required_by(policy: &Policy) -> bool {
    policy.tiers.review.values().chain(policy.ai.tier_review.values()).any(requires)
}

/// Whether one of the rules in play for a PR requires it.
pub fn in_play(requirements: &[(RequirementSource, &ReviewRule)]) -> bool {
    requirements.iter().any(|(_, rule)| requires(rule))
}

fn requires(rule: &ReviewRule) -> bool {
    rule.codeowners == CodeownersReview::Required
}

/// The paths a PR changes as CODEOWNERS sees them: each file's path, and a rename's old path
/// (moving a file out of an owned directory changes what its owners own), each once.
pub fn changed_paths(facts: &PrFacts) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for file in &facts.files {
        for path in std::iter::once(file.path.as_str()).chain(file.previous_path.as_deref()) {
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// Whether `login` is one of `owners`: by login, as a member of a team the policy knows (listed
/// or read from GitHub), or by GitHub's noreply e-mail address.
pub fn owner_includes(policy: &Policy, owners: &[Owner], login: &Login) -> bool {
    owners.iter().any(|owner| match owner {
        Owner::Team(team) => policy.team_members(team).is_some_and(|members| members.contains(login)),
        _ => owner.login().as_ref() == Some(login),
    })
}

/// Whether `login` owns `path` in any section of `file`, optional ones included.
pub fn owns_path(policy: &Policy, file: &Codeowners, path: &str, login: &Login) -> bool {
    file.owners(path).iter().any(|o| owner_includes(policy, &o.rule.owners, login))
}

/// The teams owning the PR's changed paths whose members the policy does not list, for the gate
/// to read from GitHub before the PR is judged.
pub fn teams_needed(policy: &Policy, facts: &PrFacts) -> Vec<String> {
    let Some(file) = facts.codeowners.as_ref().and_then(BaseCodeowners::file) else { return Vec::new() };
    let mut teams: Vec<String> = changed_paths(facts)
        .into_iter()
        .flat_map(|path| file.all_owners(path))
        .filter_map(|owner| match owner {
            Owner::Team(team) if policy.team_members(team).is_none() => Some(team.clone()),
            _ => None,
        })
        .collect();
    teams.sort();
    teams.dedup();
    teams
}

/// Adds the code owners' verdict to the review when a rule in play requires it; an unmet one
/// keeps the review pending.
pub fn apply(
    review: &mut ReviewVerdict,
    policy: &Policy,
    facts: &PrFacts,
    requirements: &[(RequirementSource, &ReviewRule)],
) {
    if !in_play(requirements) {
        return;
    }
    let verdict = evaluate(policy, facts, &review.approved_by);
    if !verdict.met {
        review.state = ReviewStatus::Pending;
    }
    review.codeowners = Some(verdict);
}

/// The code owners' verdict: each line that owns changed paths, whose approvals it has, and
/// whether every required one is met. `approved_by` are the approvals that count.
pub fn evaluate(policy: &Policy, facts: &PrFacts, approved_by: &[Login]) -> CodeownersVerdict {
    let (path, file, problem) = match &facts.codeowners {
        None => (None, None, Some(CodeownersProblem::NotGathered)),
        Some(BaseCodeowners::Missing) => (None, None, Some(CodeownersProblem::Missing)),
        Some(BaseCodeowners::Unreadable { path, why }) => {
            (Some(path.clone()), None, Some(CodeownersProblem::Unreadable(why.clone())))
        }
        Some(BaseCodeowners::Read { path, file }) => {
            let errors = (!file.errors.is_empty()).then(|| CodeownersProblem::Errors(file.errors.clone()));
            (Some(path.clone()), Some(file), errors)
        }
    };
    let (groups, unowned) = match file {
        Some(file) => groups(policy, file, &changed_paths(facts), approved_by),
        None => (Vec::new(), Vec::new()),
    };
    let met = problem.is_none() && groups.iter().all(|g| g.optional || g.met);
    CodeownersVerdict { met, path, problem, groups, unowned }
}

/// The changed paths grouped by the line that owns them in each section, in file order, and the
/// paths no line owns.
fn groups(policy: &Policy, file: &Codeowners, paths: &[&str], approved_by: &[Login]) -> (Vec<OwnerGroup>, Vec<String>) {
    let mut groups: Vec<OwnerGroup> = Vec::new();
    let mut unowned = Vec::new();
    for path in paths {
        let owned = file.owners(path);
        if owned.is_empty() {
            unowned.push(path.to_string());
        }
        for o in owned {
            if let Some(group) = groups.iter_mut().find(|g| g.line == o.rule.line) {
                group.files.push(path.to_string());
                continue;
            }
            let owners = o.rule.owners.clone();
            let approvers: Vec<Login> =
                approved_by.iter().filter(|l| owner_includes(policy, &owners, l)).cloned().collect();
            let unknown_teams = owners
                .iter()
                .filter_map(|owner| match owner {
                    Owner::Team(team) if policy.team_members(team).is_none() => Some(team.clone()),
                    _ => None,
                })
                .collect();
            let unmatched = owners
                .iter()
                .filter(|owner| matches!(owner, Owner::Email(_)) && owner.login().is_none())
                .map(Owner::text)
                .collect();
            groups.push(OwnerGroup {
                section: o.section.name.clone(),
                line: o.rule.line,
                pattern: o.rule.pattern.clone(),
                owners,
                approvals: o.section.approvals,
                optional: o.section.optional,
                files: vec![path.to_string()],
                met: approvers.len() >= o.section.approvals as usize,
                approved_by: approvers,
                unknown_teams,
                unmatched,
            });
        }
    }
    groups.sort_by_key(|g| g.line);
    (groups, unowned)
}

#[cfg(test)]
mod tests;
