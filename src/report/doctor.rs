//! `flowgate doctor`'s answer rendered from its findings: plain lines for a person (the headline,
//! then each finding under its tag), or JSON for scripts (the outcome, and each finding's kind,
//! level, names and line). The sentences are `wording::doctor`'s.

use serde_json::{Value, json};

use crate::doctor::{Finding, Level, Outcome, outcome};
use crate::wording::doctor as words;

/// The headline for `findings` about `repo`'s `branches`.
fn headline(repo: &str, branches: &[String], findings: &[Finding]) -> String {
    let of = |level: Level| findings.iter().filter(|f| f.level() == level).count();
    words::headline(repo, outcome(findings), branches, of(Level::Problem), of(Level::Unknown))
}

pub fn text(repo: &str, branches: &[String], findings: &[Finding]) -> String {
    let width = [Level::Ok, Level::Note, Level::Problem, Level::Unknown].map(|l| words::tag(l).len()).into_iter().max();
    let mut out = format!("{}\n", headline(repo, branches, findings));
    for finding in findings {
        let tag = words::tag(finding.level());
        out.push_str(&format!("  {tag:<width$}  {}\n", words::line(finding), width = width.unwrap_or_default()));
    }
    out
}

pub fn json(repo: &str, branches: &[String], findings: &[Finding]) -> String {
    let findings_json: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let mut value = serde_json::to_value(finding).unwrap_or(Value::Null);
            if let Some(object) = value.as_object_mut() {
                object.insert("level".into(), json!(finding.level()));
                object.insert("line".into(), json!(words::line(finding)));
            }
            value
        })
        .collect();
    let outcome: Outcome = outcome(findings);
    let report = json!({
        "repo": repo,
        "branches": branches,
        "outcome": outcome,
        "summary": headline(repo, branches, findings),
        "findings": findings_json,
    });
    format!("{report:#}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Source;

    fn findings() -> Vec<Finding> {
        vec![
            Finding::Required { branch: "main".into(), sources: vec![Source::BranchProtection], app_ids: vec![] },
            Finding::NoMergeQueue { branch: "main".into() },
            Finding::AppNotChecked { permissions: vec!["checks".into()], events: vec!["pull_request".into()] },
        ]
    }

    #[test]
    fn text_is_the_headline_then_each_finding_under_its_tag() {
        insta::assert_snapshot!(text("acme/shop", &["main".into()], &findings()), @r#"
        acme/shop: ready: flowgate can be the required check on main
          ok       main: flowgate is a required check (branch protection)
          ok       main: no merge queue
          note     the App's permissions (Checks) and events (pull_request) were not checked, since a token cannot see an installation: run with --app-id and --app-key to check them
        "#);
    }

    #[test]
    fn json_carries_the_outcome_and_each_findings_kind_level_and_line() {
        let value: Value = serde_json::from_str(&json("acme/shop", &["main".into()], &findings())).unwrap();
        assert_eq!(value["outcome"], "ready");
        assert_eq!(value["findings"][0]["kind"], "required");
        assert_eq!(value["findings"][0]["sources"][0]["by"], "branch_protection");
        assert_eq!(value["findings"][2]["level"], "note");
        assert_eq!(value["findings"][1]["line"], "main: no merge queue");
        assert!(value["summary"].as_str().unwrap().starts_with("acme/shop: ready"));
    }
}
