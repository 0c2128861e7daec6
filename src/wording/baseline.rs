//! Baselines in words: what a repository's policy loosens (after `KEY loosens the baseline
//! (NAME):`), and where a policy comes from when a baseline is in play.

use crate::policy::baseline::{Change, Loosening};

/// Why a key loosens the baseline, and how many more keys do (`more`).
pub fn loosening(loosening: &Loosening, more: usize) -> String {
    let why = match &loosening.change {
        Change::Fewer { baseline, repository } => {
            format!("the baseline requires at least {baseline}, this policy has {repository}; raise it or leave it out")
        }
        Change::Higher { baseline, repository: Some(repository) } => {
            format!("the baseline allows at most {baseline}, this policy allows {repository}; lower it or leave it out")
        }
        Change::Higher { baseline, repository: None } => {
            format!(
                "the baseline allows at most {baseline}, this policy sets no limit; keep a limit of {baseline} or less"
            )
        }
        Change::Weaker { baseline, repository } => {
            format!("the baseline requires `{baseline}`, this policy weakens it to `{repository}`")
        }
        Change::Removed { item } => {
            format!("the baseline requires {item}, which this policy drops; keep it")
        }
        Change::Added { item } => {
            format!("the baseline does not allow {item}, which this policy adds; a policy may only narrow it")
        }
        Change::Changed { baseline, repository } => {
            format!("the baseline fixes it as {baseline}, this policy changes it to {repository}")
        }
    };
    match more {
        0 => why,
        more => format!("{why} (and {more} more {})", super::words::plural(more as u64, "loosening", "loosenings")),
    }
}

/// The policy a gate used: the repository's file over its baseline, or the baseline alone.
pub fn origin(path: &str, at: &str, baseline: &str, has_file: bool) -> String {
    if has_file {
        format!("{path} on {at} over the baseline {baseline}")
    } else {
        format!("the baseline {baseline} ({at} has no {path})")
    }
}

/// Why `flowgate policy validate --baseline` cannot read `ORG/REPO:PATH@REF` itself.
pub fn remote_needs_the_app() -> String {
    "a baseline in a repository on GitHub is read by the App; give a bundled pack or a path to a copy of it".into()
}

/// A remote baseline's file that its repository does not have at the ref.
pub fn no_such_file(repo: &str, path: &str, rev: &str) -> String {
    format!("{repo} has no file {path} at {rev} (or the App cannot see it)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(key: &str, change: Change) -> Loosening {
        Loosening { key: key.into(), change }
    }

    #[test]
    fn each_kind_of_loosening() {
        let lines = [
            loosening(&l("tiers.red.review.approvals", Change::Fewer { baseline: 2, repository: 1 }), 0),
            loosening(&l("limits.max_files", Change::Higher { baseline: 300, repository: Some(500) }), 0),
            loosening(&l("limits.max_files", Change::Higher { baseline: 300, repository: None }), 0),
            loosening(
                &l("tiers.red.review.stale", Change::Weaker { baseline: "head".into(), repository: "diff".into() }),
                2,
            ),
            loosening(&l("tiers.red.paths", Change::Removed { item: "**/auth/**".into() }), 1),
            loosening(&l("linkage.exempt.labels", Change::Added { item: "skip".into() }), 0),
            loosening(
                &l(
                    "linkage.chain.levels",
                    Change::Changed { baseline: "story, epic".into(), repository: "story, okr".into() },
                ),
                0,
            ),
            origin(".github/flowgate.yml", "acme/pay@main", "strict", true),
            origin(".github/flowgate.yml", "acme/pay@main", "strict", false),
            remote_needs_the_app(),
            no_such_file("acme/.github", "base.yml", "v1"),
        ];
        insta::assert_snapshot!(lines.join("\n"), @r"
        the baseline requires at least 2, this policy has 1; raise it or leave it out
        the baseline allows at most 300, this policy allows 500; lower it or leave it out
        the baseline allows at most 300, this policy sets no limit; keep a limit of 300 or less
        the baseline requires `head`, this policy weakens it to `diff` (and 2 more loosenings)
        the baseline requires **/auth/**, which this policy drops; keep it (and 1 more loosening)
        the baseline does not allow skip, which this policy adds; a policy may only narrow it
        the baseline fixes it as story, epic, this policy changes it to story, okr
        .github/flowgate.yml on acme/pay@main over the baseline strict
        the baseline strict (acme/pay@main has no .github/flowgate.yml)
        a baseline in a repository on GitHub is read by the App; give a bundled pack or a path to a copy of it
        acme/.github has no file base.yml at v1 (or the App cannot see it)
        ");
    }
}
