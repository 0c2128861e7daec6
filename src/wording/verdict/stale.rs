//! Why an approval given on an older commit still counts at the head, or no longer does: the
//! change kind since that commit, the files that changed, or what could not be seen.

use crate::model::CommitSha;
use crate::model::since::{ChangeKind, Unseen};
use crate::policy::verdict::{CarriedApproval, CarriedWhy, StaleWhy};
use crate::wording::Flavor;

/// At most this many files are named in one sentence; the rest are counted.
const FILES_NAMED: usize = 5;

fn files(paths: &[String], f: Flavor) -> String {
    let named: Vec<String> = paths.iter().take(FILES_NAMED).map(|p| f.code(p)).collect();
    match paths.len().saturating_sub(FILES_NAMED) {
        0 => named.join(", "),
        more => format!("{} and {more} more", named.join(", ")),
    }
}

/// "alice's approval on abc1234 still counts: rebased onto main, every patch unchanged".
pub fn still_counts(c: &CarriedApproval, base: &str, f: Flavor) -> String {
    let why = match &c.why {
        CarriedWhy::Unchanged { kind, landed_in_base } => {
            let mut why = kind_phrase(*kind, base, f);
            if !landed_in_base.is_empty() {
                why.push_str(&format!(
                    "; {} reviewed there {} now in {} as reviewed",
                    files(landed_in_base, f),
                    if landed_in_base.len() == 1 { "is" } else { "are" },
                    f.code(base)
                ));
            }
            why
        }
        CarriedWhy::OutsideScope { changed } => {
            format!("{} changed, none of them in {}'s scope", files(changed, f), c.reviewer)
        }
    };
    format!("{}'s approval on {} still counts: {why}", f.code(c.reviewer.as_str()), f.code(c.commit.short()))
}

fn kind_phrase(kind: ChangeKind, base: &str, f: Flavor) -> String {
    match kind {
        ChangeKind::NoChange => "the same change, pushed again".into(),
        ChangeKind::MessageOnly => "only commit messages changed".into(),
        ChangeKind::TrivialRebase => format!("rebased onto {}, every patch unchanged", f.code(base)),
        ChangeKind::CleanUpdateMerge => format!("{} merged in cleanly, every patch unchanged", f.code(base)),
        ChangeKind::Rework => "the change was reworked".into(),
    }
}

fn kind_noun(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::NoChange => "a re-push",
        ChangeKind::MessageOnly => "a reworded commit",
        ChangeKind::TrivialRebase => "a rebase",
        ChangeKind::CleanUpdateMerge => "an update merge",
        ChangeKind::Rework => "a change",
    }
}

/// "bob's approval on def5678 no longer counts: src/auth/login.rs changed".
pub fn no_longer_counts(who: &str, commit: Option<&CommitSha>, why: &StaleWhy, base: &str, f: Flavor) -> String {
    let who_code = f.code(who);
    let Some(commit) = commit else {
        return format!("{who_code} approved an unknown commit; approvals in this tier count only on the head");
    };
    let on = f.code(commit.short());
    let reason = match why {
        StaleWhy::HeadOnly => {
            return format!(
                "{who_code} approved {on}, not the head commit; approvals in this tier count only on the head"
            );
        }
        StaleWhy::CommitUnknown => {
            return format!("{who_code} approved an unknown commit; approvals in this tier count only on the head");
        }
        StaleWhy::HeadUnknown => "the head commit is unknown, so nothing can be compared with it".to_string(),
        StaleWhy::Changed { kind: ChangeKind::Rework, files: changed } if changed.is_empty() => {
            "commits were added on top of it".to_string()
        }
        StaleWhy::Changed { kind: ChangeKind::Rework, files: changed } => format!("{} changed", files(changed, f)),
        StaleWhy::Changed { kind, .. } => {
            format!("{}, and this tier's approvals do not survive {}", kind_phrase(*kind, base, f), kind_noun(*kind))
        }
        StaleWhy::InScope { files: changed } => format!("{} in {who}'s scope changed", files(changed, f)),
        StaleWhy::Retargeted => format!("the PR was retargeted to {} after it", f.code(base)),
        StaleWhy::Unseen(unseen) => format!("flowgate could not compare it with the head: {}", unseen_phrase(unseen)),
    };
    format!("{who_code}'s approval on {on} no longer counts: {reason}")
}

fn unseen_phrase(unseen: &Unseen) -> String {
    match unseen {
        Unseen::NotGathered => "the source holds no comparison for it".into(),
        Unseen::Unreachable => "the commit is no longer reachable (force-pushed away)".into(),
        Unseen::TooBig { files: Some(n), .. } => {
            format!("the comparison changes {n} files and GitHub lists at most 300")
        }
        Unseen::TooBig { commits: Some(n), .. } => {
            format!("the comparison holds {n} commits and GitHub lists at most 250")
        }
        Unseen::TooBig { .. } => "the comparison is larger than GitHub lists".into(),
        Unseen::Failed { detail } => format!("comparing failed ({detail})"),
    }
}

#[cfg(test)]
mod tests;
