//! The code owners' part of the verdict JSON (`review.codeowners`): the data as it is, with the
//! same sentences the text and the check run show for errors and problems.

use serde_json::{Value, json};

use crate::policy::codeowners::{CodeownersProblem, CodeownersVerdict};
use crate::wording::Flavor;
use crate::wording::verdict as wording;

pub fn to_json(c: &CodeownersVerdict) -> Value {
    let errors = match &c.problem {
        Some(CodeownersProblem::Errors(errors)) => errors
            .iter()
            .map(|e| {
                json!({
                    "line": e.line, "column": e.column, "text": e.text,
                    "why": wording::line_problem(&e.why, Flavor::Plain),
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    let groups: Vec<Value> = c
        .groups
        .iter()
        .map(|g| {
            json!({
                "section": g.section,
                "line": g.line,
                "pattern": g.pattern,
                "owners": g.owners.iter().map(|o| o.text()).collect::<Vec<_>>(),
                "approvals": g.approvals,
                "optional": g.optional,
                "files": g.files,
                "approved_by": g.approved_by.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
                "met": g.met,
                "unknown_teams": g.unknown_teams,
                "unmatched": g.unmatched,
            })
        })
        .collect();
    json!({
        "met": c.met,
        "path": c.path,
        "problem": c.problem.as_ref().map(|p| wording::codeowners_problem(p, c.path.as_deref(), Flavor::Plain)),
        "errors": errors,
        "groups": groups,
        "unowned": c.unowned,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::model::codeowners::BaseCodeowners;
    use crate::model::{FileChange, FileStatus, Login, PrFacts};
    use crate::report::{Format, render};

    #[test]
    fn the_owners_are_in_the_json_the_check_run_and_the_terminal() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let policy = crate::policy::load::load_file(&root.join("examples/flowgate.yml")).expect("policy");
        let facts = PrFacts {
            files: vec![FileChange::new("src/auth/login.rs", FileStatus::Modified, 1, 1)],
            codeowners: Some(BaseCodeowners::from_text(".github/CODEOWNERS", "/src/auth/ @alice\n[Docs]\nsrc/ x\n")),
            ..PrFacts::default()
        };
        let mut v = crate::wording::verdict::tests::verdict("auth-login");
        v.review.codeowners = Some(crate::policy::codeowners::evaluate(&policy, &facts, &[Login::new("bob")]));

        let json: serde_json::Value = serde_json::from_str(&render(&v, Format::Json, false)).expect("json");
        let c = &json["review"]["codeowners"];
        assert_eq!(c["met"], false);
        assert_eq!(c["path"], ".github/CODEOWNERS");
        assert_eq!(c["errors"][0]["line"], 3);
        assert_eq!(c["errors"][0]["column"], 6);
        assert_eq!(c["groups"][0]["pattern"], "/src/auth/");
        assert_eq!(c["groups"][0]["owners"], serde_json::json!(["@alice"]));
        assert_eq!(c["groups"][0]["files"], serde_json::json!(["src/auth/login.rs"]));
        assert!(c["problem"].as_str().is_some_and(|p| p.contains("1 error")), "{c}");
        assert!(json["review"]["missing"].to_string().contains("CODEOWNERS to be fixed"), "{json}");

        let markdown = render(&v, Format::Markdown, false);
        assert!(markdown.contains("| ⏳ | Code owners |"), "{markdown}");
        assert!(markdown.contains("- needs: `/src/auth/` (line 1), owned by `@alice`"), "{markdown}");
        let text = render(&v, Format::Text, false);
        assert!(text.contains("line 3, column 6 (src/ x): x is not an owner"), "{text}");
    }
}
