//! The size rule: the PR's files and lines against the policy's limits, GitHub's listing caps,
//! and the changed lines a reviewer does not read line by line.

use super::section::{Mark, Section};
use crate::policy::verdict::{LimitProblem, NotReviewed, Verdict};
use crate::wording::{count, plural};

pub fn limit_problem(p: &LimitProblem) -> String {
    match p {
        LimitProblem::TooManyFiles { files, max } => format!("{files} changed files is over the limit of {max}"),
        LimitProblem::TooManyLines { lines, max } => {
            format!("{lines} changed lines to review is over the limit of {max}")
        }
        LimitProblem::FilesCapped { listed, total } => match total {
            Some(t) => format!("GitHub lists only {listed} of the {t} changed files, so the rest cannot be judged"),
            None => format!("GitHub's file listing stopped at its cap of {listed}, so further files cannot be judged"),
        },
        LimitProblem::CommitsCapped { listed, total } => match total {
            Some(t) => format!("GitHub lists only {listed} of the {t} commits, so the rest cannot be checked"),
            None => {
                format!("GitHub's commit listing stopped at its cap of {listed}, so further commits cannot be checked")
            }
        },
    }
}

pub fn limits_section(v: &Verdict) -> Section {
    if v.limits.is_empty() {
        let headline = format!(
            "{}, {}, within the limits",
            count(v.files.len() as u64, "changed file", "changed files"),
            count(v.changed_lines, "changed line", "changed lines"),
        );
        let details = not_counted_line(v).into_iter().collect();
        return Section { title: "Size", mark: Mark::Pass, headline, details };
    }
    let mut details: Vec<String> = v.limits.iter().map(limit_problem).collect();
    details.extend(not_counted_line(v));
    details
        .push("The PR is treated as red and cannot pass without the override: split it into smaller PRs.".to_string());
    Section { title: "Size", mark: Mark::Fail, headline: limit_problem(&v.limits[0]), details }
}

/// What the size limit leaves out, when it leaves anything out: "4,001 of 4,131 changed lines are
/// not counted: pnpm-lock.yaml (a lock file) ...".
fn not_counted_line(v: &Verdict) -> Option<String> {
    let first = v.not_counted.first()?;
    let lines: u64 = v.not_counted.iter().map(|u| u.lines).sum();
    let more = v.not_counted.len() - 1;
    let rest =
        if more == 0 { String::new() } else { format!(" and {more} more {}", plural(more as u64, "file", "files")) };
    Some(format!(
        "{lines} of {} are not counted, as a reviewer does not read them line by line: {} ({}){rest}; {} to review",
        count(v.changed_lines, "changed line", "changed lines"),
        first.path,
        not_reviewed(&first.why),
        count(v.reviewed_lines, "line", "lines"),
    ))
}

pub fn not_reviewed(why: &NotReviewed) -> String {
    match why {
        NotReviewed::Generated(why) => why.clone(),
        NotReviewed::Vendored(dir) => format!("vendored code under {dir}/"),
        NotReviewed::Binary => "a binary file".to_string(),
        NotReviewed::Change(kind) => format!("a {}-only change", kind.id()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{show, verdict};
    use super::*;
    use crate::analysis::ChangeKind;
    use crate::policy::verdict::UncountedFile;

    #[test]
    fn each_limit_problem_in_words() {
        let problems = [
            LimitProblem::TooManyFiles { files: 120, max: 100 },
            LimitProblem::TooManyLines { lines: 2_400, max: 2_000 },
            LimitProblem::FilesCapped { listed: 3_000, total: Some(3_500) },
            LimitProblem::FilesCapped { listed: 3_000, total: None },
            LimitProblem::CommitsCapped { listed: 250, total: Some(300) },
            LimitProblem::CommitsCapped { listed: 250, total: None },
        ];
        let words: Vec<String> = problems.iter().map(limit_problem).collect();
        insta::assert_snapshot!(words.join("\n"), @r"
        120 changed files is over the limit of 100
        2400 changed lines to review is over the limit of 2000
        GitHub lists only 3000 of the 3500 changed files, so the rest cannot be judged
        GitHub's file listing stopped at its cap of 3000, so further files cannot be judged
        GitHub lists only 250 of the 300 commits, so the rest cannot be checked
        GitHub's commit listing stopped at its cap of 250, so further commits cannot be checked
        ");
    }

    #[test]
    fn each_reason_a_file_is_not_counted() {
        let why = [
            NotReviewed::Generated("a lock file".into()),
            NotReviewed::Vendored("vendor".into()),
            NotReviewed::Binary,
            NotReviewed::Change(ChangeKind::Formatting),
        ];
        let words: Vec<String> = why.iter().map(not_reviewed).collect();
        insta::assert_snapshot!(words.join("\n"), @r"
        a lock file
        vendored code under vendor/
        a binary file
        a formatting-only change
        ");
    }

    #[test]
    fn the_size_section_within_and_over_the_limits() {
        let mut v = verdict("auth-login");
        insta::assert_snapshot!(show(&limits_section(&v)), @"✅ Size: 4 changed files, 52 changed lines, within the limits");
        v.files.truncate(1);
        v.changed_lines = 1;
        insta::assert_snapshot!(show(&limits_section(&v)), @"✅ Size: 1 changed file, 1 changed line, within the limits");
        v.changed_lines = 4_131;
        v.reviewed_lines = 1;
        v.not_counted = vec![
            UncountedFile {
                path: "pnpm-lock.yaml".into(),
                lines: 4_000,
                why: NotReviewed::Generated("a lock file".into()),
            },
            UncountedFile { path: "vendor/x.js".into(), lines: 130, why: NotReviewed::Vendored("vendor".into()) },
        ];
        v.limits = vec![LimitProblem::TooManyFiles { files: 120, max: 100 }];
        insta::assert_snapshot!(show(&limits_section(&v)), @r"
        ❌ Size: 120 changed files is over the limit of 100
          120 changed files is over the limit of 100
          4130 of 4131 changed lines are not counted, as a reviewer does not read them line by line: pnpm-lock.yaml (a lock file) and 1 more file; 1 line to review
          The PR is treated as red and cannot pass without the override: split it into smaller PRs.
        ");
        v.not_counted.push(v.not_counted[1].clone());
        v.limits.clear();
        insta::assert_snapshot!(limits_section(&v).details[0], @"4260 of 4131 changed lines are not counted, as a reviewer does not read them line by line: pnpm-lock.yaml (a lock file) and 2 more files; 1 line to review");
    }
}
