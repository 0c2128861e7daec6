//! The policy a PR edits: whether it loads at the PR's head, each error at its place (and the
//! annotation on that line), or that the PR deletes it. The base branch's policy judges the PR
//! either way; these words say what the edit would do to every PR after it.

use super::section::{Mark, Section};
use crate::model::edited_policy::{EditedPolicy, PolicyProblem};
use crate::policy::verdict::Verdict;
use crate::wording::Flavor;

/// The title of the annotation on each line of the edited policy that does not load.
pub const EDITED_POLICY_ANNOTATION_TITLE: &str = "flowgate: the edited policy does not load";

/// `file:line:column: message`, or `file: message` when the loader gives no place.
pub fn policy_problem(p: &PolicyProblem, f: Flavor) -> String {
    let place = match (p.line, p.column) {
        (Some(line), Some(column)) => format!("{}:{line}:{column}", p.file),
        (Some(line), None) => format!("{}:{line}", p.file),
        _ if p.file.is_empty() => return p.message.clone(),
        _ => p.file.clone(),
    };
    format!("{}: {}", f.code(&place), p.message)
}

/// The annotation's message on the line of one error.
pub fn policy_problem_annotation(p: &PolicyProblem) -> String {
    format!(
        "{}\nThis PR is judged by the base branch's policy, but once merged this policy would judge every PR \
         after it, and it does not load: fix it before merging.",
        p.message
    )
}

/// The "Policy" section, when the PR edits the policy.
pub fn edited_policy_section(v: &Verdict, f: Flavor) -> Option<Section> {
    let title = "Policy";
    Some(match v.edited_policy.as_ref()? {
        EditedPolicy::Loads => Section {
            title,
            mark: Mark::Pass,
            headline: "the edited policy is valid".to_string(),
            details: vec!["it will judge the PRs after this one; this PR is judged by the base branch's policy".into()],
        },
        EditedPolicy::Broken(problems) => Section {
            title,
            mark: Mark::Fail,
            headline: "the edited policy does not load: merged, it would stop the gate for every PR after this one"
                .to_string(),
            details: problems.iter().map(|p| policy_problem(p, f)).collect(),
        },
        EditedPolicy::Deleted { path } => Section {
            title,
            mark: Mark::Skip,
            headline: format!(
                "warning: this PR deletes {}: once it merges, the repository falls back to the bundled default policy",
                f.code(path)
            ),
            details: vec![],
        },
    })
}

/// The summary line's part for an edited policy that does not load.
pub fn edited_policy_summary(v: &Verdict) -> Option<&'static str> {
    matches!(v.edited_policy, Some(EditedPolicy::Broken(_))).then_some("edited policy: does not load")
}

#[cfg(test)]
mod tests {
    use super::super::tests::{show, verdict};
    use super::*;

    fn problems() -> Vec<PolicyProblem> {
        vec![
            PolicyProblem {
                file: ".github/flowgate.yml".into(),
                line: Some(7),
                column: Some(1),
                message: "unknown field `reviewrs`, expected one of `version`, `tiers`".into(),
            },
            PolicyProblem {
                file: ".github/team.yml".into(),
                line: None,
                column: None,
                message: "version 2 is not supported; this flowgate reads `version: 1`".into(),
            },
        ]
    }

    #[test]
    fn each_error_at_its_place_and_its_annotation() {
        let lines: Vec<String> = problems().iter().map(|p| policy_problem(p, Flavor::Plain)).collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        .github/flowgate.yml:7:1: unknown field `reviewrs`, expected one of `version`, `tiers`
        .github/team.yml: version 2 is not supported; this flowgate reads `version: 1`
        ");
        insta::assert_snapshot!(EDITED_POLICY_ANNOTATION_TITLE, @"flowgate: the edited policy does not load");
        insta::assert_snapshot!(policy_problem_annotation(&problems()[0]), @"
        unknown field `reviewrs`, expected one of `version`, `tiers`
        This PR is judged by the base branch's policy, but once merged this policy would judge every PR after it, and it does not load: fix it before merging.
        ");
    }

    #[test]
    fn the_section_for_a_valid_a_broken_and_a_deleted_policy() {
        let mut v = verdict("docs-only");
        assert_eq!(edited_policy_section(&v, Flavor::Plain), None, "no section when the PR leaves the policy alone");
        let mut shown = Vec::new();
        for edited in [
            EditedPolicy::Loads,
            EditedPolicy::Broken(problems()),
            EditedPolicy::Deleted { path: ".github/flowgate.yml".into() },
        ] {
            v.edited_policy = Some(edited);
            shown.push(show(&edited_policy_section(&v, Flavor::Markdown).expect("a section")));
        }
        insta::assert_snapshot!(shown.join("\n"), @"
        ✅ Policy: the edited policy is valid
          it will judge the PRs after this one; this PR is judged by the base branch's policy
        ❌ Policy: the edited policy does not load: merged, it would stop the gate for every PR after this one
          `.github/flowgate.yml:7:1`: unknown field `reviewrs`, expected one of `version`, `tiers`
          `.github/team.yml`: version 2 is not supported; this flowgate reads `version: 1`
        ➖ Policy: warning: this PR deletes `.github/flowgate.yml`: once it merges, the repository falls back to the bundled default policy
        ");
        assert_eq!(edited_policy_summary(&v), None);
        v.edited_policy = Some(EditedPolicy::Broken(problems()));
        insta::assert_snapshot!(edited_policy_summary(&v).unwrap_or_default(), @"edited policy: does not load");
    }
}
