//! Whether an approval given on an older commit still counts at the head (pure): by the tier's
//! `stale` mode and the change since that commit as gathering saw it. Anything unseen does not
//! carry (fail closed).

use std::collections::BTreeSet;

use super::codeowners;
use super::verdict::{CarriedWhy, FileVerdict, StaleWhy};
use super::{Policy, StaleMode, StaleRule};
use crate::model::codeowners::{BaseCodeowners, Codeowners, Owner};
use crate::model::since::{BaseSince, ChangeKind, Unseen};
use crate::model::{Login, PrFacts, Review};

/// Where one approval stands at the head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Given on the head, or the policy lets approvals count on any commit.
    Fresh,
    /// Given on an older commit and still counts.
    Carried(CarriedWhy),
    /// Given on an older commit and no longer counts.
    Stale(StaleWhy),
}

/// Decides one approval's standing. `scope`: the files a person answers for (as a code owner or a
/// pool member), `None` when they answer for no file in particular.
pub fn standing(
    rule: &StaleRule,
    facts: &PrFacts,
    review: &Review,
    scope: &dyn Fn(&Login) -> Option<BTreeSet<String>>,
) -> Standing {
    if rule.mode == StaleMode::Never {
        return Standing::Fresh;
    }
    let Some(head) = &facts.head_sha else { return Standing::Stale(StaleWhy::HeadUnknown) };
    let Some(commit) = &review.commit_id else { return Standing::Stale(StaleWhy::CommitUnknown) };
    if commit == head {
        return Standing::Fresh;
    }
    if rule.mode == StaleMode::Head {
        return Standing::Stale(StaleWhy::HeadOnly);
    }
    let since = match facts.since_approved.get(commit) {
        None => return Standing::Stale(StaleWhy::Unseen(Unseen::NotGathered)),
        Some(Err(unseen)) => return Standing::Stale(StaleWhy::Unseen(unseen.clone())),
        Some(Ok(since)) => since,
    };
    if since.base == (BaseSince::Retargeted { parent_landed: false }) {
        return Standing::Stale(StaleWhy::Retargeted);
    }
    if rule.keeps.contains(&since.kind) {
        return Standing::Carried(CarriedWhy::Unchanged {
            kind: since.kind,
            landed_in_base: since.landed_in_base.clone(),
        });
    }
    if rule.mode == StaleMode::Owners
        && since.kind == ChangeKind::Rework
        && let Some(scope) = scope(&review.reviewer)
    {
        let touched: Vec<String> = since.changed.iter().filter(|f| scope.contains(*f)).cloned().collect();
        return if touched.is_empty() {
            Standing::Carried(CarriedWhy::OutsideScope { changed: since.changed.clone() })
        } else {
            Standing::Stale(StaleWhy::InScope { files: touched })
        };
    }
    Standing::Stale(StaleWhy::Changed { kind: since.kind, files: since.changed.clone() })
}

/// Whether any review rule of the policy keeps approvals by the approver's scope (`stale:
/// owners`), which needs the base branch's CODEOWNERS.
pub fn owners_anywhere(policy: &Policy) -> bool {
    policy.tiers.review.values().chain(policy.ai.tier_review.values()).any(|r| r.stale.mode == StaleMode::Owners)
}

/// What a person answers for: the files of the tiers their reviewer pools serve, and the files
/// the base branch's CODEOWNERS gives them (as a login, or as a member of an owning team). `None`
/// when they answer for no file in particular, or when CODEOWNERS cannot tell (it has errors, or
/// names a team whose members are unknown): then only an unchanged change keeps the approval.
pub fn scope(policy: &Policy, facts: &PrFacts, files: &[FileVerdict], who: &Login) -> Option<BTreeSet<String>> {
    let pools = pool_scope(policy, files, who);
    let owned = match facts.codeowners.as_ref() {
        None | Some(BaseCodeowners::Missing) => None,
        Some(BaseCodeowners::Unreadable { .. }) => return None,
        Some(BaseCodeowners::Read { file, .. }) => Some(codeowners_scope(policy, facts, file, who)?),
    };
    match (pools, owned) {
        (None, None) => None,
        (pools, owned) => {
            let mut all = pools.unwrap_or_default();
            all.extend(owned.unwrap_or_default());
            (!all.is_empty()).then_some(all)
        }
    }
}

/// The paths in play (the head's files, their old paths, and every file that changed since an
/// approval) that CODEOWNERS gives `who`. `None` when the file has errors or an owner of one of
/// those paths is a team whose members are unknown.
fn codeowners_scope(policy: &Policy, facts: &PrFacts, file: &Codeowners, who: &Login) -> Option<BTreeSet<String>> {
    if !file.errors.is_empty() {
        return None;
    }
    let mut paths: BTreeSet<&str> = BTreeSet::new();
    for f in &facts.files {
        paths.insert(f.path.as_str());
        if let Some(old) = &f.previous_path {
            paths.insert(old.as_str());
        }
    }
    for since in facts.since_approved.values().flatten() {
        paths.extend(since.changed.iter().map(String::as_str));
    }
    let mut owned = BTreeSet::new();
    for path in paths {
        let owners = file.all_owners(path);
        if owners.iter().any(|o| matches!(o, Owner::Team(team) if policy.team_members(team).is_none())) {
            return None;
        }
        if codeowners::owns_path(policy, file, path, who) {
            owned.insert(path.to_string());
        }
    }
    Some(owned)
}

/// The files a person answers for as a member of a reviewer pool: the files of the tiers their
/// pools serve. `None` when they are in no pool that serves a tier.
fn pool_scope(policy: &Policy, files: &[FileVerdict], who: &Login) -> Option<BTreeSet<String>> {
    let reviewers = policy.reviewers.as_ref()?;
    let tiers: BTreeSet<_> = reviewers
        .tiers
        .iter()
        .filter(|(_, need)| {
            need.from
                .iter()
                .any(|pool| reviewers.pools.get(pool).is_some_and(|p| policy.principal_includes(&p.members, who)))
        })
        .map(|(tier, _)| *tier)
        .collect();
    if tiers.is_empty() {
        return None;
    }
    Some(
        files
            .iter()
            .filter(|f| tiers.contains(&f.tier))
            .flat_map(|f| std::iter::once(f.path.clone()).chain(f.previous_path.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests;
