//! What flowgate could not see: the facts missing from a PR, which keep it from passing.

use super::section::{Mark, Section};
use super::tier::skip_reason;
use crate::policy::verdict::{Gap, Verdict};
use crate::wording::count;

/// Unread files named in one gap; past this many, they are counted.
const FILES_SHOWN: usize = 5;

pub fn gap(g: &Gap) -> String {
    match g {
        Gap::FilesIncomplete { listed, total } => format!("only {listed} of the PR's {total} changed files were provided"),
        Gap::CommitsIncomplete { listed, total } => format!("only {listed} of the PR's {total} commits were provided"),
        Gap::CommitsMissing => "the commit list was not provided: committers cannot be excluded from approving and commit markers were not read".to_string(),
        Gap::ReviewsMissing => "the review list was not provided".to_string(),
        Gap::HeadUnknown => "the head commit is unknown, so approvals cannot be checked against it".to_string(),
        Gap::CodeNotRead { files } => {
            let shown: Vec<String> =
                files.iter().take(FILES_SHOWN).map(|(path, why)| format!("{path} ({})", skip_reason(why))).collect();
            let more = if files.len() > FILES_SHOWN { format!(" and {} more", files.len() - FILES_SHOWN) } else { String::new() };
            format!(
                "the policy raises files by what their code does, but {} could not be read: {}{more}",
                count(files.len() as u64, "file", "files"),
                shown.join(", ")
            )
        }
    }
}

pub fn gaps_section(v: &Verdict) -> Option<Section> {
    if v.gaps.is_empty() {
        return None;
    }
    Some(Section {
        title: "Visibility",
        mark: Mark::Pending,
        headline: "flowgate could not see everything it needs, so the PR cannot pass yet".to_string(),
        details: v.gaps.iter().map(gap).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{show, verdict};
    use super::*;
    use crate::analysis::SkipReason;

    #[test]
    fn each_gap_in_words() {
        let unread = |n: usize| (0..n).map(|i| (format!("src/{i}.rs"), SkipReason::TimedOut)).collect::<Vec<_>>();
        let gaps = [
            Gap::FilesIncomplete { listed: 30, total: 31 },
            Gap::CommitsIncomplete { listed: 250, total: 260 },
            Gap::CommitsMissing,
            Gap::ReviewsMissing,
            Gap::HeadUnknown,
            Gap::CodeNotRead { files: unread(1) },
            Gap::CodeNotRead { files: unread(7) },
        ];
        let words: Vec<String> = gaps.iter().map(gap).collect();
        insta::assert_snapshot!(words.join("\n"), @r"
        only 30 of the PR's 31 changed files were provided
        only 250 of the PR's 260 commits were provided
        the commit list was not provided: committers cannot be excluded from approving and commit markers were not read
        the review list was not provided
        the head commit is unknown, so approvals cannot be checked against it
        the policy raises files by what their code does, but 1 file could not be read: src/0.rs (reading it took longer than its time budget)
        the policy raises files by what their code does, but 7 files could not be read: src/0.rs (reading it took longer than its time budget), src/1.rs (reading it took longer than its time budget), src/2.rs (reading it took longer than its time budget), src/3.rs (reading it took longer than its time budget), src/4.rs (reading it took longer than its time budget) and 2 more
        ");
    }

    #[test]
    fn the_visibility_section_appears_only_with_a_gap() {
        let mut v = verdict("auth-login");
        assert_eq!(gaps_section(&v), None);
        v.gaps = vec![Gap::ReviewsMissing, Gap::HeadUnknown];
        insta::assert_snapshot!(show(&gaps_section(&v).unwrap()), @r"
        ⏳ Visibility: flowgate could not see everything it needs, so the PR cannot pass yet
          the review list was not provided
          the head commit is unknown, so approvals cannot be checked against it
        ");
    }
}
