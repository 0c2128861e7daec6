//! A PR that edits the policy, judged (pure): whether its changed files touch the policy's chain,
//! and what a policy that does not load at the PR's head means for it. The base branch's policy
//! still judges the PR; a broken edit only adds a failure, which no override lifts, since merging
//! it would stop the gate for every PR after it.

use crate::model::PrFacts;
use crate::model::edited_policy::{EditedPolicy, PolicyProblem};

use super::LoadError;

/// Whether the PR changes the policy file `policy_path` or a file of the chain `chain` (the base
/// policy's files by their paths in the repository): a file added, edited, deleted, or renamed
/// from or to one of them.
pub fn touches(facts: &PrFacts, policy_path: &str, chain: &[String]) -> bool {
    let is_policy = |path: &str| path == policy_path || chain.iter().any(|c| c == path);
    facts.files.iter().any(|f| is_policy(&f.path) || f.previous_path.as_deref().is_some_and(is_policy))
}

/// The edited policy as it loaded at the PR's head: `None` when the head has no policy file at
/// `policy_path`.
pub fn judge(policy_path: &str, at_head: Option<Result<(), LoadError>>) -> EditedPolicy {
    match at_head {
        None => EditedPolicy::Deleted { path: policy_path.to_string() },
        Some(Ok(())) => EditedPolicy::Loads,
        Some(Err(e)) => EditedPolicy::Broken(vec![problem(&e)]),
    }
}

/// Whether the edited policy fails the PR.
pub fn fails(edited: Option<&EditedPolicy>) -> bool {
    matches!(edited, Some(EditedPolicy::Broken(_)))
}

/// One load error at its place: syntax errors have a line and column, the rest name their file.
fn problem(e: &LoadError) -> PolicyProblem {
    let whole = e.to_string();
    let file = match e {
        LoadError::Syntax { file, line, column, message } => {
            return PolicyProblem {
                file: file.clone(),
                line: Some(*line),
                column: Some(*column),
                message: message.clone(),
            };
        }
        LoadError::Loosens(l) => {
            return PolicyProblem {
                file: l.file.clone(),
                line: Some(l.line),
                column: Some(l.column),
                message: format!("{} loosens the baseline ({}): {}", l.key, l.baseline, l.why),
            };
        }
        LoadError::Baseline { baseline, .. } => baseline.clone(),
        LoadError::Unreadable { file, .. }
        | LoadError::Rule { file, .. }
        | LoadError::Extends { file, .. }
        | LoadError::Stopped { file, .. } => file.clone(),
        LoadError::UnknownPack { .. } => String::new(),
    };
    let message = whole.strip_prefix(&format!("{file}: ")).unwrap_or(&whole).to_string();
    PolicyProblem { file, line: None, column: None, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileChange, FileStatus};

    const POLICY: &str = ".github/flowgate.yml";

    fn pr(changes: &[(&str, Option<&str>)]) -> PrFacts {
        let files = changes
            .iter()
            .map(|(path, from)| {
                let mut f = FileChange::new(*path, FileStatus::Modified, 1, 1);
                f.previous_path = from.map(String::from);
                f
            })
            .collect();
        PrFacts { files, ..PrFacts::default() }
    }

    #[test]
    fn the_policy_file_or_a_file_it_extends_is_touched_and_nothing_else() {
        let chain = vec![POLICY.to_string(), "shared/org.yml".to_string()];
        assert!(touches(&pr(&[("src/a.rs", None), (POLICY, None)]), POLICY, &chain));
        assert!(touches(&pr(&[("shared/org.yml", None)]), POLICY, &chain));
        assert!(touches(&pr(&[("elsewhere.yml", Some("shared/org.yml"))]), POLICY, &chain), "renamed away");
        assert!(touches(&pr(&[(POLICY, None)]), POLICY, &[]), "a repository on the bundled default");
        assert!(!touches(&pr(&[("src/a.rs", None), (".github/other.yml", None)]), POLICY, &chain));
        assert!(!touches(&pr(&[]), POLICY, &chain));
    }

    #[test]
    fn a_syntax_error_keeps_its_line_and_column_and_fails_the_pr() {
        let e = crate::policy::load::load_text("version: 1\nbogus: 1\n", std::path::Path::new(POLICY))
            .expect_err("unknown key");
        let judged = judge(POLICY, Some(Err(e)));
        let EditedPolicy::Broken(problems) = &judged else { panic!("{judged:?}") };
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].file.as_str(), problems[0].line, problems[0].column), (POLICY, Some(2), Some(1)));
        assert!(problems[0].message.contains("bogus"), "{}", problems[0].message);
        assert!(fails(Some(&judged)));
    }

    #[test]
    fn an_error_without_a_place_names_its_file_once() {
        let e = LoadError::Extends { file: POLICY.into(), message: "`extends: team.yml`: cannot read".into() };
        let EditedPolicy::Broken(problems) = judge(POLICY, Some(Err(e))) else { panic!("broken") };
        assert_eq!(
            problems[0],
            PolicyProblem {
                file: POLICY.into(),
                line: None,
                column: None,
                message: "`extends: team.yml`: cannot read".into()
            }
        );
    }

    #[test]
    fn a_policy_that_loads_or_is_deleted_does_not_fail_the_pr() {
        assert_eq!(judge(POLICY, Some(Ok(()))), EditedPolicy::Loads);
        let deleted = judge(POLICY, None);
        assert_eq!(deleted, EditedPolicy::Deleted { path: POLICY.into() });
        assert!(!fails(Some(&EditedPolicy::Loads)));
        assert!(!fails(Some(&deleted)));
        assert!(!fails(None));
    }

    #[test]
    fn a_broken_edit_fails_the_pr_that_passes_otherwise_even_overridden_with_an_annotation_on_its_line() {
        let policy = crate::policy::load::load_text(
            "version: 1\nextends: default\noverride:\n  label: emergency\n  allowed: [lead]\n",
            std::path::Path::new(POLICY),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let label =
            crate::model::Label { name: "emergency".into(), applied_by: Some(crate::model::Login::new("lead")) };
        let mut facts = PrFacts { labels: vec![label], ..pr(&[(POLICY, None)]) };
        let passing = crate::policy::evaluate::evaluate(&facts, &policy);
        assert_eq!(passing.state, crate::policy::verdict::State::Pass, "overridden without the edit");

        let problem = PolicyProblem { file: POLICY.into(), line: Some(7), column: Some(3), message: "bad".into() };
        facts.edited_policy = Some(EditedPolicy::Broken(vec![problem]));
        let v = crate::policy::evaluate::evaluate(&facts, &policy);
        assert_eq!(v.state, crate::policy::verdict::State::Fail);
        let run = crate::report::check_run::check_run(&v);
        assert_eq!(run.conclusion, Some("failure"));
        let on_policy: Vec<_> = run.annotations.iter().filter(|a| a.path == POLICY).collect();
        assert_eq!(on_policy.len(), 1, "{:?}", run.annotations);
        assert_eq!((on_policy[0].start_line, on_policy[0].level), (7, "failure"));
        assert!(run.summary.contains("`.github/flowgate.yml:7:3`: bad"), "{}", run.summary);

        facts.edited_policy = Some(EditedPolicy::Loads);
        let v = crate::policy::evaluate::evaluate(&facts, &policy);
        assert_eq!(v.state, crate::policy::verdict::State::Pass, "a valid edit changes nothing");
        assert!(crate::report::check_run::check_run(&v).summary.contains("the edited policy is valid"));
    }
}
