//! What `flowgate check --plan` prints: one line per write the gate would make to a PR, in the
//! order it makes them. `gate::Plan::describe` arranges the lines; the plan's types sit above this
//! layer, so these take its parts.

use crate::model::check_run::CheckRunReport;

/// `check run: pending on 1111111 "Waiting for review: …", 2 annotations`.
pub fn check_run(head_sha: &str, run: &CheckRunReport) -> String {
    let head: String = head_sha.chars().take(7).collect();
    format!(
        "check run: {} on {head} {:?}{}",
        run.conclusion.unwrap_or("pending"),
        run.title,
        match run.annotations.len() {
            0 => String::new(),
            1 => ", 1 annotation".to_string(),
            n => format!(", {n} annotations"),
        }
    )
}

/// The tier label to add and the other tier labels to take off, or that it is on already.
pub fn tier_label(label: &str, add: bool, remove: &[String]) -> String {
    let mut changes = Vec::new();
    if add {
        changes.push(format!("add {label}"));
    }
    if !remove.is_empty() {
        changes.push(format!("remove {}", remove.join(", ")));
    }
    if changes.is_empty() {
        format!("label: {label} already on the PR")
    } else {
        format!("label: {}", changes.join(", "))
    }
}

pub fn tool_labels(names: &[&str]) -> String {
    format!("AI tool labels: add {}", names.join(", "))
}

pub fn withdraw(logins: &[String]) -> String {
    format!("withdraw review request: {}", logins.join(", "))
}

pub fn request(logins: &[String]) -> String {
    format!("request review: {}", logins.join(", "))
}

/// In shadow mode: the check run is the only write.
pub const SHADOW: &str =
    "shadow mode (enforcement: evaluate): nothing else is written: no labels, review requests or comments";

/// A comment posted once per `marker` since `since`, shown by its first line.
pub fn comment(marker: &str, since: &str, body: &str) -> String {
    let first = body.lines().next().unwrap_or_default();
    format!("comment once {marker} since {since}: {first:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check_run::Annotation;

    fn run(conclusion: Option<&'static str>, annotations: usize) -> CheckRunReport {
        let annotation = Annotation {
            path: "src/auth/login.rs".into(),
            start_line: 1,
            end_line: 1,
            level: "warning",
            title: "flowgate".into(),
            message: "red".into(),
        };
        CheckRunReport {
            conclusion,
            title: "Waiting for review".into(),
            summary: String::new(),
            annotations: vec![annotation; annotations],
        }
    }

    #[test]
    fn each_write_the_gate_would_make() {
        let head = "1111111abcdef";
        let lines = [
            check_run(head, &run(None, 0)),
            check_run(head, &run(Some("success"), 1)),
            check_run(head, &run(Some("failure"), 3)),
            tier_label("flowgate:red", true, &[]),
            tier_label("flowgate:red", true, &["flowgate:green".into(), "flowgate:yellow".into()]),
            tier_label("flowgate:red", false, &["flowgate:green".into()]),
            tier_label("flowgate:red", false, &[]),
            tool_labels(&["ai:claude-code", "ai:copilot"]),
            withdraw(&["erin".into()]),
            request(&["dave".into(), "erin".into()]),
            comment("<!-- flowgate:explain -->", "2025-03-03T09:00:00Z", "Why this PR is red:\n\nbecause"),
        ];
        insta::assert_snapshot!(lines.join("\n"), @r#"
            check run: pending on 1111111 "Waiting for review"
            check run: success on 1111111 "Waiting for review", 1 annotation
            check run: failure on 1111111 "Waiting for review", 3 annotations
            label: add flowgate:red
            label: add flowgate:red, remove flowgate:green, flowgate:yellow
            label: remove flowgate:green
            label: flowgate:red already on the PR
            AI tool labels: add ai:claude-code, ai:copilot
            withdraw review request: erin
            request review: dave, erin
            comment once <!-- flowgate:explain --> since 2025-03-03T09:00:00Z: "Why this PR is red:"
            "#);
    }

    #[test]
    fn shadow_mode_writes_nothing_but_the_check_run() {
        insta::assert_snapshot!(SHADOW, @"shadow mode (enforcement: evaluate): nothing else is written: no labels, review requests or comments");
    }
}
